import type { Client } from '@elastic/elasticsearch';
import type { Logger, ModerationKeys, RedisClient, TakedownMessage } from '@takedown/shared';

interface Pending {
  decisionId: string;
  /** The decision's sequence number in its case, when the message carried one. */
  seq?: number;
  at: number;
  /** For restrictions: where; empty for removals. */
  countries: string[];
}

export interface TakedownTrackerOptions {
  /** A dedicated connection: a subscribed ioredis client can do nothing else (on a cluster, built with shardedSubscriber). */
  subscriber: RedisClient;
  redis: RedisClient;
  keys: ModerationKeys;
  es: Client;
  /** The searchable indices, to see when a takedown has become visible to search. */
  indices: string[];
  logger: Logger;
  pruneEveryMs?: number;
  /** Forget an entry after this long even if Elasticsearch never showed it (content never indexed). */
  maxAgeMs?: number;
  /** First wait before retrying a failed catch-up (doubles up to 5 s). */
  retryMs?: number;
  /** Named points where tests inject faults (never set in production). */
  faults?: TakedownTrackerFaults;
}

export interface TakedownTrackerFaults {
  /** Runs just before each catch-up read of the recent-takedowns set, after the subscription is confirmed; a throw fails that attempt. */
  beforeCatchUp?(): Promise<void>;
}

/**
 * Content taken down since Elasticsearch's last refresh. Fed by the takedown
 * channel (and, on every (re)subscription, once Redis confirmed it, by the
 * recent-takedowns set, so a disconnection loses nothing; a failed catch-up
 * is logged and retried, and searches are refused until it succeeds); an
 * id leaves once a search sees its new state (or a later decision of its case), or after `maxAgeMs`. The rewriter excludes these ids at query time,
 * so a removal is effective within milliseconds, not at the next refresh.
 */
export class TakedownTracker {
  private readonly removed = new Map<string, Pending>();
  private readonly restricted = new Map<string, Pending>();
  /** Subscribed and caught up since the last (re)connection. */
  private subscribed = false;
  private stopped = false;
  /** Bumped on every close and (re)connection: a resync of an older connection gives up. */
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: TakedownTrackerOptions) {}

  async start(): Promise<void> {
    const { subscriber, keys } = this.o;
    // Sharded pub/sub (SSUBSCRIBE): the channel lives on the shard of the recent-takedowns set.
    subscriber.on('smessage', (channel: string, raw: string) => {
      if (channel === keys.takedownChannel) this.applyRaw(raw);
    });
    // Until the subscription is back and the catch-up has read the recent
    // set, this instance may be missing takedowns: searches are refused.
    const lost = () => {
      if (this.subscribed) this.o.logger.warn('takedown subscription lost; searches refused until it is back');
      this.subscribed = false;
      this.generation++;
    };
    const back = () => {
      if (!this.stopped) void this.resync(++this.generation);
    };
    subscriber.on('close', lost);
    subscriber.on('ready', back);
    // A cluster keeps one sharded subscriber connection per master, apart
    // from the cluster's own: when one is dropped (its node failed, its slots
    // moved) the channel may be unread until ioredis has re-subscribed on the
    // new owner and says so (subscribersReady). Either subscriber counts.
    subscriber.on('-subscriber', lost);
    subscriber.on('subscribersReady', back);
    // First start: a failure here fails the process's start.
    const gen = ++this.generation;
    await this.syncOnce();
    if (gen === this.generation) this.subscribed = true;
    this.timer = setInterval(() => void this.prune(), this.o.pruneEveryMs ?? 500);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    if (this.timer) clearInterval(this.timer);
    this.subscribed = false;
    await this.o.subscriber.sunsubscribe(this.o.keys.takedownChannel).catch(() => undefined);
  }

  /**
   * Subscribe first and wait for Redis to confirm it, then read the recent
   * set: a takedown published after the read arrives on the subscription, one
   * published before it is in the set. (ioredis re-subscribes by itself after
   * a reconnect, but nothing waits for that; subscribing again is harmless.)
   */
  private async syncOnce(): Promise<void> {
    await this.o.subscriber.ssubscribe(this.o.keys.takedownChannel);
    await this.o.faults?.beforeCatchUp?.();
    await this.catchUp();
  }

  /** After a reconnection: sync, retrying with capped backoff, until it succeeds or the connection changes. Never rejects. */
  private async resync(gen: number): Promise<void> {
    let waitMs = this.o.retryMs ?? 100;
    for (let attempt = 1; gen === this.generation && !this.stopped; attempt++) {
      try {
        await this.syncOnce();
        if (gen !== this.generation || this.stopped) return;
        this.subscribed = true;
        if (attempt > 1) this.o.logger.info({ attempt }, 'takedown catch-up succeeded; searches served again');
        return;
      } catch (err) {
        this.o.logger.error({ err, attempt, retryInMs: waitMs }, 'takedown catch-up failed; searches refused until it succeeds');
      }
      await new Promise((r) => setTimeout(r, waitMs).unref());
      waitMs = Math.min(waitMs * 2, 5000);
    }
  }

  /** Whether the subscription is live (else the set may be missing takedowns: fail closed). */
  get healthy(): boolean {
    return this.subscribed && this.o.subscriber.status === 'ready';
  }

  get size(): number {
    return this.removed.size + this.restricted.size;
  }

  /** Ids to exclude for a caller in `country` (unknown country: every restriction applies). */
  idsFor(country: string | undefined): string[] {
    const ids = [...this.removed.keys()];
    const c = country?.toUpperCase();
    for (const [id, p] of this.restricted) if (!c || p.countries.includes(c)) ids.push(id);
    return ids;
  }

  apply(m: TakedownMessage): void {
    const at = Date.parse(m.at) || Date.now();
    const entry: Pending = { decisionId: m.decisionId, at, countries: m.restrictedIn.map((x) => x.toUpperCase()), ...(typeof m.decisionSeq === 'number' ? { seq: m.decisionSeq } : {}) };
    // A later decision replaces an earlier one; a reinstatement (keep) or a label hides nothing.
    this.removed.delete(m.contentId);
    this.restricted.delete(m.contentId);
    if (m.state === 'removed') this.removed.set(m.contentId, entry);
    else if (m.state === 'restricted') this.restricted.set(m.contentId, entry);
  }

  private applyRaw(raw: string): void {
    try {
      this.apply(JSON.parse(raw) as TakedownMessage);
    } catch (err) {
      this.o.logger.error({ err }, 'unreadable takedown message');
    }
  }

  private async catchUp(): Promise<void> {
    const since = Date.now() - (this.o.maxAgeMs ?? 5 * 60_000);
    const recent = await this.o.redis.zrangebyscore(this.o.keys.recentTakedowns, since, '+inf');
    for (const raw of recent) this.applyRaw(raw);
  }

  /** Drops ids whose new state (or a later decision) a search already sees (refreshed), and stale ones. */
  async prune(): Promise<void> {
    const now = Date.now();
    const maxAge = this.o.maxAgeMs ?? 5 * 60_000;
    const all = new Map<string, Pending>([...this.removed, ...this.restricted]);
    for (const [id, p] of all) {
      if (now - p.at > maxAge) {
        this.removed.delete(id);
        this.restricted.delete(id);
        all.delete(id);
      }
    }
    if (all.size === 0) return;
    try {
      const ids = [...all.keys()].slice(0, 1000);
      const res = await this.o.es.search<{ moderation?: { decisionId?: string; decisionSeq?: number } }>({
        index: this.o.indices.join(','),
        query: { ids: { values: ids } },
        _source: ['moderation.decisionId', 'moderation.decisionSeq'],
        size: ids.length,
      });
      for (const hit of res.hits.hits) {
        const id = hit._id as string;
        const pending = all.get(id);
        const shown = hit._source?.moderation;
        // Searchable now: this decision, or a later one of the case (this one was announced before its write and then superseded).
        const settled = shown?.decisionId === pending?.decisionId || (pending?.seq !== undefined && typeof shown?.decisionSeq === 'number' && shown.decisionSeq > pending.seq);
        if (pending && settled) {
          // Only if no newer decision arrived meanwhile.
          if (this.removed.get(id) === pending) this.removed.delete(id);
          if (this.restricted.get(id) === pending) this.restricted.delete(id);
        }
      }
    } catch (err) {
      this.o.logger.warn({ err }, 'takedown prune failed; keeping the ids');
    }
  }
}
