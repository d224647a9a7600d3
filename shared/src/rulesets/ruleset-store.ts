import { publishSharded } from '@takedown/features';
import type { RedisClient } from '../clients/redis';
import { snapshotKeys, type SnapshotKind } from '@takedown/features';
import { runScript } from '../moderation/lua-scripts';
import type { ItemsDiff } from './diff-items';

/** How many times a publish proposes a version number before giving up (each retry means another publish won). */
const PUBLISH_ATTEMPTS = 100;

/** What the store needs to know of a ruleset; the full model lives in search-rules. */
export interface StoredRuleset {
  version: number;
  publishedAt: string;
  publishedBy: string;
  rules: unknown[];
  /** Why, in the publisher's words. */
  note?: string;
  /** What changed against the version before (search-rules' diffRules). */
  diff?: ItemsDiff;
  /** Set when this version re-publishes an earlier one. */
  rollbackOf?: number;
  /** The emoji table (emoji → word) a lead edited; absent: search-rules' shipped one. */
  emojiWords?: Record<string, string>;
  /** Which emoji entries changed against the version before; absent when the table did not. */
  emojiDiff?: EmojiDiff;
}

/** What a publish changed in the emoji table, by emoji. */
export interface EmojiDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

export interface RulesetKeys {
  /** The published version number. */
  current: string;
  version(n: number): string;
  /** Version counter. */
  counter: string;
  /** Pub/sub channel announcing a newly published version. */
  channel: string;
  /** Every version's summary, scored by version number. */
  versions: string;
  /** The draft: rule id → rule JSON. */
  draft: string;
  /** The draft's base version and last editor. */
  draftMeta: string;
  /** The draft's emoji table (JSON), once a lead edited it; absent: the published one. */
  draftEmoji: string;
  /** The last searched query texts (for previews), newest first. */
  queryLog: string;
  /** Shadow hits: "version:ruleId" → count. */
  shadowCounts: string;
  shadowSamples(ruleId: string): string;
  /** Content rules published but not yet back-filled: rule id → version. Search filters with them meanwhile. */
  backfillPending: string;
  backfillProgress(jobId: string): string;
  /** The version every scanned document is tagged for: a publish plans its backfill against this one, not the last published. */
  backfillThrough: string;
  /** Rules an unfinished backfill is re-tagging: rule id → version. A later publish re-applies them whatever changed. */
  backfillInflight: string;
  /** Searches refused by block_query rules, by category (all search instances). */
  blockedCounts: string;
  /** The normaliser version the last full rescan was started with (search-rules' NORMALIZER_VERSION). */
  normalizedWith: string;
}

/**
 * The keys of one kind of published ruleset: the content rules (`rules`) or
 * the feature switches (`features`, whose items are features), both kept by
 * this store, DraftStore and publish-ruleset-4.lua. The keys clients read
 * (current, versions, channel) are named by @takedown/features, once.
 */
export function rulesetKeys(queuePrefix: string, kind: SnapshotKind = 'rules'): RulesetKeys {
  const base = `${queuePrefix}:${kind}`;
  return {
    ...snapshotKeys(queuePrefix, kind),
    counter: `${base}:counter`,
    versions: `${base}:versions`,
    draft: `${base}:draft`,
    draftMeta: `${base}:draft:meta`,
    draftEmoji: `${base}:draft:emoji`,
    queryLog: `${base}:query-log`,
    shadowCounts: `${base}:shadow:counts`,
    shadowSamples: (ruleId) => `${base}:shadow:samples:${ruleId}`,
    backfillPending: `${base}:backfill:pending`,
    backfillProgress: (jobId) => `${base}:backfill:progress:${jobId}`,
    backfillThrough: `${base}:backfill:through`,
    backfillInflight: `${base}:backfill:inflight`,
    blockedCounts: `${base}:blocked`,
    normalizedWith: `${base}:normalized-with`,
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
    private readonly redis: RedisClient,
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
   * Stores `rules` as the next version and makes it live, in one atomic
   * step (publish-ruleset-4.lua): the number is proposed from the counter and
   * taken only if no other publish took it meanwhile, else proposed again.
   * The caller has validated the rules (search-rules' compileRuleset).
   */
  async publish(rules: unknown[], publishedBy: string, now = new Date(), extra: Pick<StoredRuleset, 'note' | 'diff' | 'rollbackOf' | 'emojiWords' | 'emojiDiff'> = {}): Promise<StoredRuleset> {
    for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
      const version = Number((await this.redis.get(this.keys.counter)) ?? '0') + 1;
      const ruleset: StoredRuleset = { version, rules, publishedAt: now.toISOString(), publishedBy, ...extra };
      const summary = { version, publishedAt: ruleset.publishedAt, publishedBy, rules: rules.length, note: extra.note, rollbackOf: extra.rollbackOf, diff: extra.diff && { added: extra.diff.added.length, removed: extra.diff.removed.length, changed: extra.diff.changed.length }, ...(extra.emojiDiff ? { emojiChanged: true } : {}) };
      const taken = await runScript(this.redis, 'publish-ruleset', [this.keys.counter, this.keys.current, this.keys.versions, this.keys.version(version)], [version, JSON.stringify(ruleset), JSON.stringify(summary)]);
      if (Number(taken) !== 1) continue;
      await publishSharded(this.redis, this.keys.channel, String(version));
      return ruleset;
    }
    throw new Error(`publish: the version counter moved ${PUBLISH_ATTEMPTS} times in a row`);
  }

  /** Version summaries, newest first. */
  async versions(limit = 100): Promise<unknown[]> {
    return (await this.redis.zrevrange(this.keys.versions, 0, limit - 1)).map((v) => JSON.parse(v) as unknown);
  }

  /**
   * Whether this process may publish the first version of a new install:
   * true for one caller only (a short lock), and only while nothing is published.
   */
  async claimFirstPublish(): Promise<boolean> {
    if ((await this.currentVersion()) !== undefined) return false;
    const claimed = await this.redis.set(`${this.keys.counter}:seeding`, '1', 'EX', 30, 'NX');
    if (claimed !== 'OK') return false;
    return (await this.currentVersion()) === undefined;
  }

  /** The version the backfill watermark stands at (undefined: no backfill ever finished). */
  async backfilledThrough(): Promise<number | undefined> {
    const v = await this.redis.get(this.keys.backfillThrough);
    return v === null ? undefined : Number(v);
  }
}
