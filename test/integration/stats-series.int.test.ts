import { encodeSample, MAX_POINTS, StatsSampler, type StatsSample } from '@takedown/moderation-api';
import { createLogger } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';

let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('stats-series');
});
afterAll(async () => {
  await p.stop();
});

const logger = createLogger({ name: 'stats-series-test', level: 'silent' });
const DAY = 86_400_000;
const sampler = (intervalMs = 10_000, retentionMs = 7 * DAY) =>
  new StatsSampler({ redis: p.deps.redis, keys: p.deps.cases.keys, cases: p.deps.cases, blockedCounts: p.deps.rulesets.keys.blockedCounts, logger }, { intervalMs, retentionMs });
const keys = () => p.deps.cases.keys;
const blocked = () => p.deps.rulesets.keys.blockedCounts;
/** Decisions are counted per case shard; any shard's hash adds to the sum the sampler reads. */
const shard = () => keys().shards[3]!;
/** Each test starts with no history and no slot taken (a slot stays taken a minute). */
const clear = async () => {
  const slots = await p.ctx.redis.keys(`${keys().base}:stats:slot:*`);
  await p.ctx.redis.del(keys().statsSamples, keys().statsSamplesCoarse, blocked(), shard().decisionCounts, shard().decisionCountsOutsideCsam, ...slots);
};
const series = (range: string, token = p.tokens.lead) => p.call('GET', `/v1/stats/series?range=${range}`, token);
const sum = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);

beforeEach(clear);

describe('dashboard history (sampler and GET /v1/stats/series)', () => {
  it('writes one sample per slot with two samplers, at once and running on their timers', async () => {
    const a = sampler();
    const b = sampler();
    const now = Date.now();
    expect((await Promise.all([a.sampleOnce(now), b.sampleOnce(now)])).sort()).toEqual([false, true]);
    // The same slot later in it: still taken.
    expect(await a.sampleOnce(now - (now % 10_000) + 9_999)).toBe(false);
    expect(await p.ctx.redis.zcard(keys().statsSamples)).toBe(1);

    // Both on their timers, 200 ms slots: every slot sampled once, by one of them.
    await clear();
    const fastA = sampler(200);
    const fastB = sampler(200);
    fastA.start();
    fastB.start();
    await eventually(async () => (await p.ctx.redis.zcard(keys().statsSamples)) >= 6, 10_000);
    await Promise.all([fastA.stop(), fastB.stop()]);
    const scores = (await p.ctx.redis.zrange(keys().statsSamples, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
    expect(new Set(scores).size).toBe(scores.length);
    expect(scores.every((s) => s % 200 === 0)).toBe(true);
  });

  it('trims samples older than the retention from both tiers', async () => {
    const s = sampler(10_000, 60_000);
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    await s.sampleOnce(now - 120_000);
    await s.sampleOnce(now - 110_000);
    expect(await p.ctx.redis.zcard(keys().statsSamples)).toBe(2);
    expect(await p.ctx.redis.zcard(keys().statsSamplesCoarse)).toBe(1);
    await s.sampleOnce(now);
    expect(await p.ctx.redis.zrange(keys().statsSamples, 0, -1, 'WITHSCORES')).toEqual([expect.any(String), String(now)]);
    expect(await p.ctx.redis.zrange(keys().statsSamplesCoarse, 0, -1, 'WITHSCORES')).toEqual([expect.any(String), String(now)]);
  });

  it('turns cumulative counters into per-interval deltas, a reset counted from zero', async () => {
    const s = sampler();
    const start = Date.now() - 30 * 60_000;
    const slot = (i: number) => start + i * 10_000;
    await s.sampleOnce(slot(0));
    await p.ctx.redis.hincrby(shard().decisionCounts, 'remove', 4);
    await p.ctx.redis.hincrby(shard().decisionCountsOutsideCsam, 'remove', 4);
    await p.ctx.redis.hincrby(blocked(), 'drugs', 7);
    await s.sampleOnce(slot(1));
    await p.ctx.redis.hincrby(shard().decisionCounts, 'keep', 2);
    await p.ctx.redis.hincrby(shard().decisionCountsOutsideCsam, 'keep', 2);
    // The blocked counts are lost (a restore from an older backup) and count up again.
    await p.ctx.redis.del(blocked());
    await p.ctx.redis.hincrby(blocked(), 'drugs', 3);
    await s.sampleOnce(slot(2));
    const r = await series('1h');
    expect(r.status).toBe(200);
    expect(r.body.stepSeconds).toBe(10);
    expect(r.body.t).toHaveLength(3);
    expect(r.body.decisions).toEqual({ remove: [0, 4, 0], keep: [0, 0, 2] });
    expect(r.body.blockedSearches).toEqual({ drugs: [0, 7, 3] });
  });

  it('leaves the csam lane, csam decisions and csam blocked searches out without the csam grant', async () => {
    expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('post-stats-csam', { reason: 'csam' }))).status).toBe(202);
    await eventually(async () => ((await p.deps.cases.laneStats()).find((l) => l.lane === 'csam')?.depth ?? 0) >= 1);
    const s = sampler();
    const now = Date.now();
    await s.sampleOnce(now - 10_000);
    await p.ctx.redis.hincrby(blocked(), 'csam', 2);
    await p.ctx.redis.hincrby(blocked(), 'drugs', 1);
    await p.ctx.redis.hincrby(shard().decisionCounts, 'remove', 3);
    await p.ctx.redis.hincrby(shard().decisionCountsOutsideCsam, 'remove', 1);
    await s.sampleOnce(now);
    const hidden = (await series('1h', p.tokens.lead)).body;
    expect(Object.keys(hidden.queues)).toEqual(['default', 'escalated', 'appeals']);
    expect(JSON.stringify(hidden)).not.toContain('csam');
    expect(sum(hidden.decisions.remove)).toBe(1);
    expect(hidden.blockedSearches).toEqual({ drugs: [0, 1] });
    const shown = (await series('1h', p.tokens.csamLead)).body;
    expect(Math.max(...shown.queues.csam.depth)).toBeGreaterThanOrEqual(1);
    expect(sum(shown.decisions.remove)).toBe(3);
    expect(shown.blockedSearches).toEqual({ csam: [0, 2], drugs: [0, 1] });
  });

  it('answers at most MAX_POINTS points a series over 6 h of 10 s samples and 7 d of minute samples, every count kept', async () => {
    const now = Date.now();
    const write = async (key: string, count: number, stepMs: number) => {
      const m = p.ctx.redis.pipeline();
      for (let i = 0; i < count; i++) {
        const t = Math.floor((now - i * stepMs) / stepMs) * stepMs;
        const sample: StatsSample = { t, q: { default: [i % 50, i] }, d: { remove: count - i }, o: { remove: count - i }, b: { drugs: 2 * (count - i) } };
        m.zadd(key, t, encodeSample(sample));
      }
      await m.exec();
    };
    await write(keys().statsSamples, 6 * 360, 10_000);
    await write(keys().statsSamplesCoarse, 7 * 1440, 60_000);
    for (const [range, samples] of [['6h', 6 * 360], ['7d', 7 * 1440]] as const) {
      const body = (await series(range)).body;
      expect({ range, bounded: body.t.length <= MAX_POINTS && body.t.length > MAX_POINTS / 3 }).toEqual({ range, bounded: true });
      expect(body.decisions.remove).toHaveLength(body.t.length);
      expect(body.queues.default.depth).toHaveLength(body.t.length);
      // Every sample but the first in the range (which has no baseline before it) adds one decision and two blocked searches.
      expect(sum(body.decisions.remove)).toBeGreaterThanOrEqual(samples - 2);
      expect(sum(body.blockedSearches.drugs)).toBe(2 * sum(body.decisions.remove));
      expect(Math.max(...body.queues.default.depth)).toBe(49);
    }
  });

  it.each([
    ['range=2d', '/range'],
    ['range=', '/range'],
    ['range=1h&from=0', 'from'],
  ])('refuses %s naming %s', async (query, field) => {
    const r = await p.call('GET', `/v1/stats/series?${query}`, p.tokens.lead);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain(field);
  });

  it('is for leads and admins only, like /v1/stats', async () => {
    expect((await series('1h', p.tokens.moderator)).status).toBe(403);
    expect((await series('1h', p.tokens.admin)).status).toBe(200);
  });
});
