import { Redis } from 'ioredis';
import { subscribeSharded, type PubSubClient } from './sharded-pubsub';
import type { FeatureContext, FeatureDecision, FeatureSnapshot, SwitchState } from './feature';
import { coalesced } from './coalesced';
import { compileFeatures, type CompiledFeatures } from './compile-features';
import { evaluateFeature, unknownFeature } from './evaluate';
import { featureKeys, type SnapshotKeys } from './snapshot-keys';

export interface FeatureClientOptions {
  /** Reads the published version (a single node or a cluster client). */
  redis: PubSubClient;
  /** A dedicated connection: a subscribed ioredis client can do nothing else (a cluster one built with shardedSubscribers). */
  subscriber: PubSubClient;
  /** Takedown's queue prefix (TAKEDOWN_QUEUE_PREFIX), which names the keys. */
  queuePrefix: string;
  /** A snapshot Redis has not confirmed current for longer than this is stale: every feature takes its fail mode. */
  maxStalenessMs: number;
  /** Re-check the published version this often, healing a missed message (default 250 ms). */
  pollMs?: number;
  /** The state of a key the snapshot does not know (or before any snapshot loaded); default `off`. */
  unknownFeature?: SwitchState;
  /** Told when a new version is in use. */
  onUpdate?: (version: number) => void;
  /** Told of every failed check (the client keeps its snapshot meanwhile). */
  onError?: (err: unknown) => void;
  /** The clock (epoch ms), for tests. */
  now?: () => number;
}

/** A feature off for the caller, and the fields whose geo searches it forbids. */
export interface SearchGeoGate {
  key: string;
  decision: FeatureDecision;
  geoFields: ReadonlySet<string>;
}

export interface Evaluation {
  /** The snapshot's version (null before any loaded). */
  version: number | null;
  stale: boolean;
  features: FeatureDecision[];
}

/**
 * The published feature switches, held in memory: reloaded on the publish
 * announcement (pub/sub) and on a timer that re-reads the current version,
 * so a missed message heals within `pollMs`. Evaluation is local, never
 * does I/O and never throws. When Redis has not confirmed the snapshot for
 * `maxStalenessMs`, every feature answers its fail mode.
 */
export class FeatureClient {
  private snapshot: CompiledFeatures | undefined;
  private confirmed = 0;
  /** Checks started and the latest whose answer was applied: a check given up on that answers late never undoes a newer one. */
  private started = 0;
  private applied = 0;
  private timer: NodeJS.Timeout | undefined;
  private subscription: { unsubscribe(): Promise<void> } | undefined;
  private answeredOnce = false;
  private readonly keys: SnapshotKeys;
  private readonly now: () => number;

  constructor(private readonly o: FeatureClientOptions) {
    this.keys = featureKeys(o.queuePrefix);
    this.now = o.now ?? Date.now;
  }

  /** Subscribes and loads once; resolves even when Redis is unreachable (features then take their fallbacks). */
  async start(): Promise<void> {
    this.timer = setInterval(() => void this.check(), this.o.pollMs ?? 250);
    this.timer.unref();
    const sub = subscribeSharded(this.o.subscriber, this.keys.channel, () => void this.check());
    // Not awaited: with Redis unreachable it would wait forever; ioredis subscribes once connected (and again after every reconnect).
    sub.subscribed.catch((err: unknown) => this.o.onError?.(err));
    this.subscription = sub;
    await this.check();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    // Not awaited: a hung Redis must not hang a shutdown.
    if (this.subscription) void this.subscription.unsubscribe();
    this.subscription = undefined;
  }

  /** The loaded version (undefined before the first load). */
  get version(): number | undefined {
    return this.snapshot?.version;
  }

  /** When Redis last confirmed the loaded version current (epoch ms; 0 = never). */
  get confirmedAt(): number {
    return this.confirmed;
  }

  /** Whether Redis has ever answered a check (with a version or with "nothing published"): before that, the client cannot tell "no switches" from "not yet read". */
  get answered(): boolean {
    return this.answeredOnce;
  }

  get stale(): boolean {
    return this.now() - this.confirmed > this.o.maxStalenessMs;
  }

  /** One feature's decision for this caller. */
  decide(key: string, ctx: FeatureContext): FeatureDecision {
    try {
      const f = this.snapshot?.features.get(key);
      if (!f) return unknownFeature(key, this.o.unknownFeature ?? 'off', this.snapshot ? 'unknown_feature' : 'no_snapshot');
      const now = this.now();
      if (now - this.confirmed > this.o.maxStalenessMs) return f.failDecision;
      return evaluateFeature(f, ctx, now);
    } catch {
      // Not reachable with a compiled snapshot; a hostile ctx (a getter that throws) still gets an answer.
      return unknownFeature(key, this.o.unknownFeature ?? 'off', 'evaluation_failed');
    }
  }

  /**
   * The geo-search gates closed for this caller: each feature with
   * `enforcement.search.geoFields` that is off for it (by a rule, its
   * default, or its fail mode when the snapshot is stale), with its fields.
   * Empty before any snapshot loaded (no feature is known to gate anything).
   */
  searchGeoGates(ctx: FeatureContext): SearchGeoGate[] {
    const out: SearchGeoGate[] = [];
    for (const f of this.snapshot?.searchGated ?? []) {
      const d = this.decide(f.key, ctx);
      if (!d.on && f.searchGeoFields) out.push({ key: f.key, decision: d, geoFields: f.searchGeoFields });
    }
    return out;
  }

  /** Every feature that gates geo searches, whatever its state (for a caller whose country is not known). */
  searchGeoGated(): { key: string; geoFields: ReadonlySet<string> }[] {
    return (this.snapshot?.searchGated ?? []).flatMap((f) => (f.searchGeoFields ? [{ key: f.key, geoFields: f.searchGeoFields }] : []));
  }

  isOn(key: string, ctx: FeatureContext): boolean {
    return this.decide(key, ctx).on;
  }

  /** Every feature's decision for this caller. */
  evaluate(ctx: FeatureContext): Evaluation {
    const s = this.snapshot;
    if (!s) return { version: null, stale: true, features: [] };
    const stale = this.stale;
    const features: FeatureDecision[] = [];
    for (const key of s.features.keys()) features.push(this.decide(key, ctx));
    return { version: s.version, stale, features };
  }

  /** Loads the published version if it differs from the one in memory. */
  check(): Promise<void> {
    return this.checkOnce();
  }

  // A check that hangs (Redis hung) is given up after a while, so the next can run.
  private readonly checkOnce = coalesced(() => {
    let timer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(1000, 4 * (this.o.pollMs ?? 250)));
      timer.unref();
    });
    return Promise.race([this.doCheck(), givenUp]).finally(() => clearTimeout(timer));
  });

  private async doCheck(): Promise<void> {
    const seq = ++this.started;
    try {
      const askedAt = this.now();
      const raw = await this.o.redis.get(this.keys.current);
      this.answeredOnce = true;
      if (raw === null || seq < this.applied) return;
      const version = Number(raw);
      if (version === this.snapshot?.version) {
        // Confirmed as of when we asked, not when the answer came: a slow answer never buys extra freshness.
        this.applied = seq;
        this.confirmed = Math.max(this.confirmed, askedAt);
        return;
      }
      const json = await this.o.redis.get(this.keys.version(version));
      if (json === null || seq < this.applied) return;
      this.snapshot = compileFeatures(JSON.parse(json) as FeatureSnapshot);
      this.applied = seq;
      this.confirmed = Math.max(this.confirmed, askedAt);
      this.o.onUpdate?.(version);
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}

/** How connectFeatureClient builds its two clients: from a single-node URL, or by the caller (a cluster: shared's createRedisClient). */
export type FeatureConnector = (role: { connectionName: string; subscriber: boolean; commandTimeoutMs: number }) => PubSubClient;

/**
 * A started client on connections of its own; `stop()` closes them. They go
 * to `redisUrl` (one node), or are built by `connect` (any client, e.g. a
 * Redis Cluster one; the subscriber must then have `shardedSubscribers`).
 * Commands fail after `commandTimeoutMs` (default 1000) so a hung Redis never piles them up.
 */
export async function connectFeatureClient(
  o: Omit<FeatureClientOptions, 'redis' | 'subscriber'> & ({ redisUrl: string; connect?: undefined } | { connect: FeatureConnector; redisUrl?: undefined }) & { connectionName?: string; commandTimeoutMs?: number },
): Promise<FeatureClient & { close(): Promise<void> }> {
  const name = o.connectionName ?? 'takedown-features';
  const commandTimeoutMs = o.commandTimeoutMs ?? 1000;
  const url = o.redisUrl;
  const connect: FeatureConnector =
    o.connect ??
    ((role) =>
      role.subscriber
        ? new Redis(url as string, { connectionName: role.connectionName, maxRetriesPerRequest: null })
        : new Redis(url as string, { connectionName: role.connectionName, maxRetriesPerRequest: 1, commandTimeout: role.commandTimeoutMs }));
  const redis = connect({ connectionName: name, subscriber: false, commandTimeoutMs });
  const subscriber = connect({ connectionName: `${name}:sub`, subscriber: true, commandTimeoutMs });
  // Connection errors are reported through onError on the next check; these keep ioredis from logging unhandled 'error' events.
  redis.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  const client = new FeatureClient({ ...o, redis, subscriber });
  await client.start();
  return Object.assign(client, {
    async close() {
      await client.stop();
      redis.disconnect();
      subscriber.disconnect();
    },
  });
}
