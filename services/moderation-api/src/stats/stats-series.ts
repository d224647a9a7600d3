import { LANES, type Lane, type ModerationKeys, type RedisClient } from '@takedown/shared';
import { coarseStepMs } from './stats-sampler';
import { decodeSample, type StatsSample } from './stats-sample';

export const STATS_RANGES = { '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 } as const;
export type StatsRange = keyof typeof STATS_RANGES;

/** At most this many points per series, whatever the range. */
export const MAX_POINTS = 720;
/** Ranges longer than this read the thinned tier (one sample a minute), so 7 days is ~10,000 members, not ~60,000. */
const RAW_UP_TO_MS = STATS_RANGES['6h'];
/** Bucket widths a chart's axis reads well at; the smallest that keeps a range within MAX_POINTS wins. */
const STEPS_MS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400].map((s) => s * 1000);

export interface StatsSeries {
  range: StatsRange;
  from: string;
  to: string;
  /** Width of one point's bucket: counters are per this many seconds. */
  stepSeconds: number;
  sampleIntervalSeconds: number;
  /** Bucket starts (ms since the epoch), only buckets holding a sample; every series below has one value per entry. */
  t: number[];
  /** Per lane: the largest depth and oldest wait (seconds) sampled in each bucket. */
  queues: Partial<Record<Lane, { depth: number[]; oldestAgeSeconds: number[] }>>;
  /** Decisions recorded in each bucket, by action. */
  decisions: Record<string, number[]>;
  /** Searches blocked in each bucket, by category. */
  blockedSearches: Record<string, number[]>;
}

/** The bucket width for a range: a readable step, at least one sample interval, at most MAX_POINTS buckets. */
export function stepFor(rangeMs: number, sampleMs: number): number {
  // Buckets are aligned to the epoch, so a range spans at most range/step + 1 of them.
  const least = Math.max(sampleMs, rangeMs / (MAX_POINTS - 1));
  return STEPS_MS.find((s) => s >= least) ?? Math.ceil(least / 1000) * 1000;
}

/**
 * What grew between two cumulative readings, per key. A counter lower than
 * before was reset (its hash deleted, Redis restored from an older backup):
 * it counted up from zero since, so its whole value is the increase.
 */
export function counterDeltas(prev: Record<string, number>, cur: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(cur)) {
    const before = Object.hasOwn(prev, k) ? (prev[k] as number) : 0;
    out[k] = v >= before ? v - before : v;
  }
  return out;
}

/**
 * Samples (oldest first; `before` is the last one ahead of the range, the
 * baseline of the first delta) into at most MAX_POINTS buckets. Without the
 * csam grant the csam lane, csam decisions and csam blocked searches are
 * left out before anything is summed.
 */
export function downsample(samples: StatsSample[], before: StatsSample | undefined, stepMs: number, cleared: boolean): Pick<StatsSeries, 't' | 'queues' | 'decisions' | 'blockedSearches'> {
  const lanes = LANES.filter((l) => cleared || l !== 'csam');
  const decisionsOf = (s: StatsSample) => (cleared ? s.d : s.o);
  const blockedOf = (s: StatsSample) => (cleared ? s.b : Object.fromEntries(Object.entries(s.b).filter(([k]) => k !== 'csam')));
  const t: number[] = [];
  const queues = Object.fromEntries(lanes.map((l) => [l, { depth: [] as number[], oldestAgeSeconds: [] as number[] }])) as StatsSeries['queues'];
  const decisions: Record<string, number[]> = {};
  const blocked: Record<string, number[]> = {};
  const add = (into: Record<string, number[]>, deltas: Record<string, number>, at: number) => {
    for (const [k, n] of Object.entries(deltas)) {
      if (!Object.hasOwn(into, k)) into[k] = new Array<number>(t.length).fill(0);
      const series = into[k] as number[];
      series[at] = (series[at] ?? 0) + n;
    }
  };
  let prev = before;
  for (const s of samples) {
    const bucket = Math.floor(s.t / stepMs) * stepMs;
    if (t[t.length - 1] !== bucket) {
      t.push(bucket);
      for (const l of lanes) {
        queues[l]?.depth.push(0);
        queues[l]?.oldestAgeSeconds.push(0);
      }
      for (const series of [...Object.values(decisions), ...Object.values(blocked)]) series.push(0);
    }
    const at = t.length - 1;
    for (const l of lanes) {
      const q = queues[l];
      const [depth, age] = s.q[l] ?? [0, 0];
      if (q) {
        q.depth[at] = Math.max(q.depth[at] ?? 0, depth);
        q.oldestAgeSeconds[at] = Math.max(q.oldestAgeSeconds[at] ?? 0, age);
      }
    }
    // The first sample with no baseline has nothing to subtract from: it starts the counts.
    if (prev) {
      add(decisions, counterDeltas(decisionsOf(prev), decisionsOf(s)), at);
      add(blocked, counterDeltas(blockedOf(prev), blockedOf(s)), at);
    }
    prev = s;
  }
  return { t, queues, decisions, blockedSearches: blocked };
}

/** The dashboard's series for a range ending now, read from one sorted set (two commands, one slot). */
export async function readStatsSeries(
  redis: RedisClient,
  keys: ModerationKeys,
  q: { range: StatsRange; cleared: boolean; sampleIntervalMs: number; now?: number },
): Promise<StatsSeries> {
  const now = q.now ?? Date.now();
  const rangeMs = STATS_RANGES[q.range];
  const from = now - rangeMs;
  const key = rangeMs > RAW_UP_TO_MS ? keys.statsSamplesCoarse : keys.statsSamples;
  const sampleMs = rangeMs > RAW_UP_TO_MS ? coarseStepMs(q.sampleIntervalMs) : q.sampleIntervalMs;
  const stepMs = stepFor(rangeMs, sampleMs);
  const [inRange, ahead] = await Promise.all([redis.zrangebyscore(key, from, now), redis.zrevrangebyscore(key, `(${from}`, '-inf', 'LIMIT', 0, 1)]);
  const samples = inRange.map(decodeSample).filter((s): s is StatsSample => s !== undefined);
  const before = ahead[0] === undefined ? undefined : decodeSample(ahead[0]);
  return {
    range: q.range,
    from: new Date(from).toISOString(),
    to: new Date(now).toISOString(),
    stepSeconds: stepMs / 1000,
    sampleIntervalSeconds: q.sampleIntervalMs / 1000,
    ...downsample(samples, before, stepMs, q.cleared),
  };
}
