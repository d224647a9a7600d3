import { MAX_POINTS, STATS_RANGES, counterDeltas, downsample, stepFor } from './stats-series';
import { coarseStepMs } from './stats-sampler';
import type { StatsSample } from './stats-sample';

const sample = (t: number, over: Partial<StatsSample> = {}): StatsSample => ({ t, q: { default: [1, 10], csam: [2, 20] }, d: {}, o: {}, b: {}, ...over });

describe('counterDeltas', () => {
  it('is the growth per key, a new key counting from zero', () => {
    expect(counterDeltas({ remove: 3, keep: 1 }, { remove: 5, keep: 1, label: 2 })).toEqual({ remove: 2, keep: 0, label: 2 });
  });

  it('takes a counter that went down as reset: its whole value is new', () => {
    expect(counterDeltas({ drugs: 40 }, { drugs: 3 })).toEqual({ drugs: 3 });
  });
});

describe('stepFor', () => {
  it.each(Object.entries(STATS_RANGES))('keeps %s within MAX_POINTS buckets, never below the sample interval', (_range, ms) => {
    const sampleMs = ms > STATS_RANGES['6h'] ? coarseStepMs(10_000) : 10_000;
    const step = stepFor(ms, sampleMs);
    expect(step).toBeGreaterThanOrEqual(sampleMs);
    expect(Math.floor(ms / step) + 1).toBeLessThanOrEqual(MAX_POINTS);
  });
});

describe('downsample', () => {
  it('sums counter deltas per bucket from the baseline before the range, and keeps the highest gauge', () => {
    const before = sample(0, { d: { remove: 10 }, o: { remove: 4 } });
    const samples = [
      sample(10_000, { q: { default: [5, 50] }, d: { remove: 12 }, o: { remove: 5 } }),
      sample(20_000, { q: { default: [3, 70] }, d: { remove: 15, keep: 1 }, o: { remove: 6, keep: 1 } }),
      sample(60_000, { q: { default: [1, 5] }, d: { remove: 15, keep: 4 }, o: { remove: 6, keep: 4 } }),
    ];
    const out = downsample(samples, before, 60_000, true);
    expect(out.t).toEqual([0, 60_000]);
    expect(out.decisions).toEqual({ remove: [5, 0], keep: [1, 3] });
    expect(out.queues.default).toEqual({ depth: [5, 1], oldestAgeSeconds: [70, 5] });
  });

  it('leaves the csam lane, csam decisions and csam blocked searches out without the grant', () => {
    const samples = [sample(0, { d: { remove: 1 }, o: {}, b: { csam: 1, drugs: 1 } }), sample(10_000, { d: { remove: 3 }, o: { remove: 1 }, b: { csam: 5, drugs: 2 } })];
    const hidden = downsample(samples, undefined, 10_000, false);
    expect(Object.keys(hidden.queues)).not.toContain('csam');
    expect(hidden.blockedSearches).toEqual({ drugs: [0, 1] });
    expect(hidden.decisions).toEqual({ remove: [0, 1] });
    const shown = downsample(samples, undefined, 10_000, true);
    expect(shown.queues.csam?.depth).toEqual([2, 2]);
    expect(shown.blockedSearches).toEqual({ csam: [0, 4], drugs: [0, 1] });
    expect(shown.decisions).toEqual({ remove: [0, 2] });
  });
});
