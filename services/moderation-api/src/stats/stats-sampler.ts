import type { CaseStore, Logger, ModerationKeys, RedisClient } from '@takedown/shared';
import { encodeSample, type StatsSample } from './stats-sample';

export interface StatsSamplerOptions {
  /** One sample per slot of this length (TAKEDOWN_STATS_INTERVAL_SECONDS). */
  intervalMs: number;
  /** Samples older than this are trimmed (TAKEDOWN_STATS_RETENTION_DAYS). */
  retentionMs: number;
}

/** The thinned tier keeps one sample per this much time (or per slot, for slots longer than this). */
export const COARSE_STEP_MS = 60_000;

export const coarseStepMs = (intervalMs: number): number => Math.max(COARSE_STEP_MS, intervalMs);

/**
 * Samples queue depth and oldest age per lane, decisions by action and
 * blocked searches by category into Redis, one sample per slot across every
 * API replica: each replica wakes at each slot and the one whose SET NX on
 * the slot's key succeeds samples it. A replica that wins and then dies
 * leaves that slot empty; readers tolerate gaps (counters are cumulative, so
 * the next sample's delta covers the missed one).
 */
export class StatsSampler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(
    private readonly deps: { redis: RedisClient; keys: ModerationKeys; cases: CaseStore; blockedCounts: string; logger: Logger },
    private readonly opts: StatsSamplerOptions,
  ) {}

  /** Samples the slot `now` falls in unless another process has; true when this call wrote the sample. */
  async sampleOnce(now = Date.now()): Promise<boolean> {
    const { redis, keys, cases, blockedCounts } = this.deps;
    const { intervalMs, retentionMs } = this.opts;
    const slot = Math.floor(now / intervalMs) * intervalMs;
    // The key outlives the slot by far, so a replica that wakes late still finds it taken.
    const won = await redis.set(keys.statsSlot(slot), '1', 'PX', Math.max(6 * intervalMs, 60_000), 'NX');
    if (won !== 'OK') return false;
    const [lanes, d, o, blocked] = await Promise.all([cases.laneStats(new Date(now)), cases.decisionCounts('all'), cases.decisionCounts('outside-csam'), redis.hgetall(blockedCounts)]);
    const sample: StatsSample = {
      t: slot,
      q: Object.fromEntries(lanes.map((l) => [l.lane, [l.depth, Math.round(l.oldestAgeSeconds)]])),
      d,
      o,
      b: Object.fromEntries(Object.entries(blocked).map(([k, v]) => [k, Number(v)])),
    };
    const member = encodeSample(sample);
    const cutoff = `(${now - retentionMs}`;
    const coarse = coarseStepMs(intervalMs);
    const m = redis.multi().zadd(keys.statsSamples, slot, member).zremrangebyscore(keys.statsSamples, '-inf', cutoff);
    // The first slot of each coarse step also goes to the thinned tier.
    if (slot % coarse < intervalMs) m.zadd(keys.statsSamplesCoarse, slot, member).zremrangebyscore(keys.statsSamplesCoarse, '-inf', cutoff);
    const failed = (await m.exec())?.find(([err]) => err);
    if (failed) throw failed[0];
    return true;
  }

  /** Wakes at the start of every slot (a few ms after, so every replica agrees on which slot it is). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  /** Stops waking and waits for a sample being taken. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    const { intervalMs } = this.opts;
    const wait = intervalMs - (Date.now() % intervalMs) + 25;
    this.timer = setTimeout(() => {
      this.running = this.sampleOnce()
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'dashboard sample failed'))
        .finally(() => this.schedule());
    }, wait);
    this.timer.unref();
  }
}
