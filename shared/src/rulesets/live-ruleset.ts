import type { RedisClient } from '../clients/redis';
import { coalesced, subscribeSharded } from '@takedown/features';
import { UnavailableError } from '../errors/takedown-error';
import type { Logger } from '../logging/logger';
import type { RulesetStore, StoredRuleset } from './ruleset-store';

export interface LiveRulesetOptions<T> {
  store: RulesetStore;
  /** A dedicated connection: a subscribed ioredis client can do nothing else (on a cluster, built with shardedSubscriber). */
  subscriber: RedisClient;
  /** Turns a stored ruleset into the in-memory form (search-rules' compileRuleset). */
  compile: (ruleset: StoredRuleset) => T;
  logger: Logger;
  /** Re-check the published version this often, healing a missed message. */
  pollMs?: number;
  /** Called after a new version is in use (e.g. to refresh state that goes with it). */
  onLoad?: (loaded: Loaded<T>) => void | Promise<void>;
  /**
   * Frees a replaced ruleset (search-rules' releaseRuleset: its RE2 heap is
   * fixed and the GC does not see it fill), `retireGraceMs` after the swap,
   * so that searches that took it before the swap finish first. Never called
   * for the loaded one; stop() drops pending retirements (the GC frees those).
   */
  retire?: (old: T) => void;
  /** Delay between a swap and retiring the replaced ruleset (default 30 s, longer than any search holds one). */
  retireGraceMs?: number;
}

export const DEFAULT_RETIRE_GRACE_MS = 30_000;

export interface Loaded<T> {
  version: number;
  compiled: T;
  loadedAt: Date;
}

/**
 * The published ruleset, compiled and kept current: switches on the pub/sub
 * announcement within milliseconds, and on a timer (default 500 ms) when a
 * message was missed. Until the first load, `current()` refuses: callers
 * fail closed.
 */
export class LiveRuleset<T> {
  private loaded: Loaded<T> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private subscription: { unsubscribe(): Promise<void> } | undefined;
  private confirmed = 0;
  private readonly retiring = new Map<NodeJS.Timeout, T>();

  constructor(private readonly o: LiveRulesetOptions<T>) {}

  async start(): Promise<void> {
    // Sharded pub/sub (SSUBSCRIBE): the channel lives on the shard of the ruleset keys it announces.
    const sub = subscribeSharded(this.o.subscriber, this.o.store.keys.channel, () => void this.check());
    this.subscription = sub;
    await sub.subscribed;
    await this.check();
    this.timer = setInterval(() => void this.check(), this.o.pollMs ?? 500);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.subscription?.unsubscribe();
    this.subscription = undefined;
    // Searches may still hold a replaced ruleset while the process drains: leave those to the GC's finalizer.
    for (const timer of this.retiring.keys()) clearTimeout(timer);
    this.retiring.clear();
  }

  /** The loaded ruleset; throws UnavailableError (503) when none is. */
  current(): Loaded<T> {
    if (!this.loaded) throw new UnavailableError('no published ruleset is loaded', 'ruleset_unavailable');
    return this.loaded;
  }

  /**
   * The loaded ruleset, only if Redis confirmed it current within
   * `maxStalenessMs`; else UnavailableError (503). Searches and writes that
   * must never run on old rules fail closed here.
   */
  fresh(maxStalenessMs: number): Loaded<T> {
    const loaded = this.current();
    const age = Date.now() - this.confirmed;
    if (age > maxStalenessMs) {
      throw new UnavailableError(`the ruleset has not been confirmed current for ${Math.round(age / 1000)} s`, 'ruleset_stale');
    }
    return loaded;
  }

  get version(): number | undefined {
    return this.loaded?.version;
  }

  /** When Redis last confirmed that the loaded version is the published one (epoch ms; 0 = never). */
  get confirmedAt(): number {
    return this.confirmed;
  }

  /** Loads the published version if it differs from the one in memory (a publish landing mid-check is looked at after it). */
  check(): Promise<void> {
    return this.checkOnce();
  }

  private readonly checkOnce = coalesced(() => this.doCheck());

  private async doCheck(): Promise<void> {
    try {
      const version = await this.o.store.currentVersion();
      if (version === undefined) return;
      if (version === this.loaded?.version) {
        this.confirmed = Date.now();
        return;
      }
      const ruleset = await this.o.store.get(version);
      if (!ruleset) return;
      const compiled = this.o.compile(ruleset);
      const previous = this.loaded;
      this.loaded = { version, compiled, loadedAt: new Date() };
      if (previous && previous.compiled !== compiled) this.scheduleRetire(previous.compiled);
      this.confirmed = Date.now();
      await this.o.onLoad?.(this.loaded);
      this.o.logger.info({ version, rules: ruleset.rules.length }, 'ruleset loaded');
    } catch (err) {
      this.o.logger.error({ err }, 'ruleset check failed; keeping the loaded version');
    }
  }

  private scheduleRetire(old: T): void {
    if (!this.o.retire) return;
    const timer = setTimeout(() => {
      this.retiring.delete(timer);
      this.retireNow(old);
    }, this.o.retireGraceMs ?? DEFAULT_RETIRE_GRACE_MS);
    // A pending retirement must not keep the process alive; the GC frees what it misses.
    timer.unref();
    this.retiring.set(timer, old);
  }

  private retireNow(old: T): void {
    // Never free what is loaded (a compile function that returns a cached object).
    if (old === this.loaded?.compiled) return;
    try {
      this.o.retire?.(old);
    } catch (err) {
      this.o.logger.error({ err }, 'retiring a replaced ruleset failed');
    }
  }
}
