import { LANES, isJsonObject, type Lane } from '@takedown/shared';

/**
 * One dashboard sample as stored in Redis (one sorted-set member, scored by
 * its slot). Gauges are the values at the slot; counters are cumulative, as
 * Redis holds them, and become per-interval deltas only when read, so a
 * missed slot loses no decisions or blocked searches.
 */
export interface StatsSample {
  /** Start of the slot (ms since the epoch). */
  t: number;
  /** Per lane: [open cases, oldest wait in seconds]. */
  q: Partial<Record<Lane, [number, number]>>;
  /** Decisions recorded by action, every case (cumulative). */
  d: Record<string, number>;
  /** Decisions on cases that were not csam when decided (what a caller without the csam grant sees). */
  o: Record<string, number>;
  /** Searches blocked by category (cumulative). */
  b: Record<string, number>;
}

export function encodeSample(s: StatsSample): string {
  return JSON.stringify(s);
}

const counters = (v: unknown): Record<string, number> => {
  const out: Record<string, number> = {};
  if (!isJsonObject(v)) return out;
  for (const [k, n] of Object.entries(v)) if (typeof n === 'number' && Number.isFinite(n)) out[k] = n;
  return out;
};

/** A stored member back as a sample; undefined for anything malformed (skipped, never fatal to the chart). */
export function decodeSample(member: string): StatsSample | undefined {
  let v: unknown;
  try {
    v = JSON.parse(member);
  } catch {
    return undefined;
  }
  if (!isJsonObject(v) || typeof v['t'] !== 'number') return undefined;
  const q: StatsSample['q'] = {};
  const lanes = v['q'];
  if (isJsonObject(lanes)) {
    for (const lane of LANES) {
      const pair = Object.hasOwn(lanes, lane) ? lanes[lane] : undefined;
      if (Array.isArray(pair) && typeof pair[0] === 'number' && typeof pair[1] === 'number') q[lane] = [pair[0], pair[1]];
    }
  }
  return { t: v['t'], q, d: counters(v['d']), o: counters(v['o']), b: counters(v['b']) };
}
