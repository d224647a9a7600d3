import type { Redis } from 'ioredis';

/** What the store needs to know of a ruleset; the full model lives in search-rules. */
export interface StoredRuleset {
  version: number;
  publishedAt: string;
  publishedBy: string;
  rules: unknown[];
}

export interface RulesetKeys {
  /** The published version number. */
  current: string;
  version(n: number): string;
  /** Version counter. */
  counter: string;
  /** Pub/sub channel announcing a newly published version. */
  channel: string;
}

export function rulesetKeys(queuePrefix: string): RulesetKeys {
  const base = `${queuePrefix}:rules`;
  return {
    current: `${base}:current`,
    version: (n) => `${base}:version:${n}`,
    counter: `${base}:counter`,
    channel: `${base}:published`,
  };
}

/**
 * Published rulesets in Redis: immutable versions, a pointer to the live
 * one, and a pub/sub announcement on every change (every triage worker and
 * search instance listens, and re-checks the pointer on a timer in case a
 * message was missed).
 */
export class RulesetStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: RulesetKeys,
  ) {}

  async currentVersion(): Promise<number | undefined> {
    const v = await this.redis.get(this.keys.current);
    return v === null ? undefined : Number(v);
  }

  async get(version: number): Promise<StoredRuleset | undefined> {
    const raw = await this.redis.get(this.keys.version(version));
    return raw === null ? undefined : (JSON.parse(raw) as StoredRuleset);
  }

  async current(): Promise<StoredRuleset | undefined> {
    const v = await this.currentVersion();
    return v === undefined ? undefined : this.get(v);
  }

  /**
   * Stores `rules` as the next version and makes it live. The caller has
   * validated the rules (search-rules' compileRuleset).
   */
  async publish(rules: unknown[], publishedBy: string, now = new Date()): Promise<StoredRuleset> {
    const version = await this.redis.incr(this.keys.counter);
    const ruleset: StoredRuleset = { version, rules, publishedAt: now.toISOString(), publishedBy };
    await this.redis.multi().set(this.keys.version(version), JSON.stringify(ruleset)).set(this.keys.current, String(version)).exec();
    await this.redis.publish(this.keys.channel, String(version));
    return ruleset;
  }

  /** Publishes `initial` as version 1 when nothing was ever published (new installs, demos). */
  async seedIfEmpty(initial: () => unknown[], publishedBy: string): Promise<StoredRuleset | undefined> {
    if ((await this.currentVersion()) !== undefined) return undefined;
    const claimed = await this.redis.set(`${this.keys.counter}:seeding`, '1', 'EX', 30, 'NX');
    if (claimed !== 'OK') return undefined;
    if ((await this.currentVersion()) !== undefined) return undefined;
    return this.publish(initial(), publishedBy);
  }
}
