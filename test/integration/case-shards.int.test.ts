import fc from 'fast-check';
import {
  AuditWriter,
  CaseStore,
  ConfigError,
  compareHeads,
  createLogger,
  createRedis,
  ensureTakedownIndices,
  moderationKeys,
  openModerationKeys,
  pipelined,
  verifyAuditChain,
  type LaneHead,
  type ReportJob,
} from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

// Claiming across case shards against a model: one global priority queue.

let ctx: TestContext;
let run = 0;
beforeAll(async () => {
  ctx = await createTestContext('case-shards');
});
afterAll(async () => {
  await ctx.cleanup();
});

/** A fresh key space under the test's prefix (cleanup removes it with the rest). */
const freshPrefix = () => `{${ctx.prefix}-m${run++}}`;

async function open(cases: CaseStore, caseId: string, score: number, now = new Date()): Promise<void> {
  const report: ReportJob = { reportId: `r-${caseId}`, receivedAt: now.toISOString(), content: { id: caseId, type: 'post', text: 't', authorId: 'a' }, reporter: { type: 'user' }, reason: 'drugs' };
  const r = await cases.fold({
    caseId,
    report,
    expectedRev: 0,
    fields: { id: caseId, contentId: caseId, lane: 'default', priority: 100, category: 'drugs', content: report.content, reportCount: 1, reporterTypes: ['user'], ruleHits: [], firstReportedAt: now.toISOString(), lastReportedAt: now.toISOString() },
    mode: 'enqueue',
    score,
    now,
    audit: { type: 'report.received', actor: 'test', at: now.toISOString() },
  });
  expect(r.result).toBe('folded');
}

type Op = { kind: 'open'; score: number } | { kind: 'claim' };
const op: fc.Arbitrary<Op> = fc.oneof(
  // Few distinct scores: ties across shards are common, so the tie order is exercised.
  fc.record({ kind: fc.constant('open' as const), score: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('claim' as const) }),
);

describe('claiming across case shards', () => {
  it('serves sequential claims in exactly the order of one global priority queue (score, then rotating shard, then case id)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(1, 3, 16), fc.array(op, { minLength: 1, maxLength: 30 }), async (shards, ops) => {
        const keys = moderationKeys(freshPrefix(), shards);
        const cases = new CaseStore(ctx.redis, keys, 60_000);
        const reference: LaneHead[] = [];
        let claims = 0;
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'open') {
            const caseId = `c${n++}`;
            await open(cases, caseId, o.score);
            reference.push({ caseId, score: o.score, shard: keys.shardOf(caseId).index });
          } else {
            // The store's rotation advances once per claim, from 0.
            const rotation = claims++ % shards;
            reference.sort((a, b) => compareHeads(a, b, rotation, shards));
            const want = reference.shift();
            const got = await cases.claim('default', 'mod-1');
            expect(got?.case.id).toBe(want?.caseId);
          }
        }
      }),
      { numRuns: 25 },
    );
  }, 300_000);

  it('never hands a case to two concurrent claimers, and leaves none behind', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 2, max: 12 }), async (scores, claimers) => {
        const keys = moderationKeys(freshPrefix(), 16);
        const setup = new CaseStore(ctx.redis, keys, 60_000);
        await Promise.all(scores.map((score, i) => open(setup, `k${i}`, score)));
        // Each claimer its own store and connection, as separate API processes would be.
        const conns = Array.from({ length: claimers }, () => createRedis(ctx.config.redis.url, { connectionName: `test:${ctx.prefix}:claimer` }));
        try {
          const got = await Promise.all(
            conns.map(async (redis, i) => {
              const store = new CaseStore(redis, keys, 60_000);
              const mine: string[] = [];
              for (let c = await store.claim('default', `mod-${i}`); c; c = await store.claim('default', `mod-${i}`)) mine.push(c.case.id);
              return mine;
            }),
          );
          const all = got.flat();
          expect(all.length).toBe(new Set(all).size);
          expect(new Set(all)).toEqual(new Set(scores.map((_, i) => `k${i}`)));
        } finally {
          for (const c of conns) c.disconnect();
        }
      }),
      { numRuns: 12 },
    );
  }, 300_000);

  it('spreads concurrent claims of one process over the best heads instead of racing them for the first', async () => {
    const keys = moderationKeys(freshPrefix(), 16);
    const cases = new CaseStore(ctx.redis, keys, 60_000);
    await Promise.all(Array.from({ length: 60 }, (_, i) => open(cases, `s${i}`, i % 4)));
    // 20 moderators claim at once through one API process: each would first try the same best head, and
    // every lost race costs one more script call (about 20 × 21 / 2 = 210 calls for 20 claims).
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => cases.claim('default', `mod-${i}`)));
    const ids = got.map((c) => c?.case.id);
    expect(ids.every((id) => id !== undefined)).toBe(true);
    expect(new Set(ids).size).toBe(20);
    // The 20 best by score were taken (every case of scores 0 and 1: 30 of them, so the 20 come from those).
    const scoreOf = (id: string) => Number(id.slice(1)) % 4;
    expect(ids.every((id) => scoreOf(id as string) <= 1)).toBe(true);
    expect(cases.claimScriptCalls).toBeLessThanOrEqual(30);
    // Claims asked together share one read of the heads (one pipeline over the shards), not one each.
    expect(cases.claimHeadReads).toBeLessThanOrEqual(2);
  });
});

describe('the case shard count', () => {
  it('is recorded at first boot; a process with another count, or an unsharded store, is refused with a clear error', async () => {
    const prefix = freshPrefix();
    const first = await openModerationKeys(ctx.redis, { queuePrefix: prefix, caseShards: 16 });
    expect(first.shards).toHaveLength(16);
    await expect(openModerationKeys(ctx.redis, { queuePrefix: prefix, caseShards: 16 })).resolves.toBeDefined();
    const refused = openModerationKeys(ctx.redis, { queuePrefix: prefix, caseShards: 8 });
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(refused).rejects.toThrow(/TAKEDOWN_CASE_SHARDS is 8.*started with 16 shards/);

    const legacy = freshPrefix();
    await ctx.redis.zadd(moderationKeys(legacy).unshardedCases, 1, 'c_old');
    await expect(openModerationKeys(ctx.redis, { queuePrefix: legacy, caseShards: 16 })).rejects.toThrow(/unsharded case store/);
    expect(await ctx.redis.exists(moderationKeys(legacy).caseShardCount)).toBe(0);
  });
});

describe('the audit chain over every shard', () => {
  it('writes the events of every shard and the main stream once, each stream in its order, across a writer restart', async () => {
    const prefix = freshPrefix();
    const keys = moderationKeys(prefix, 4);
    const index = `${ctx.prefix}-audit`;
    await ensureTakedownIndices(ctx.es, ctx.prefix, 0);
    const logger = createLogger({ name: 'audit-shards-test', level: 'silent' });
    const streams = [{ label: '', key: keys.audit }, ...keys.shards.map((s) => ({ label: s.label, key: s.audit }))];
    const add = async (round: number) => {
      for (let i = 0; i < 6; i++) {
        for (const s of streams) await ctx.redis.xadd(s.key, '*', 'event', JSON.stringify({ type: 'test.event', actor: 'test', at: new Date().toISOString(), data: { stream: s.label, round, i } }));
      }
    };
    await add(0);
    const writer = new AuditWriter({ redis: ctx.redis, es: ctx.es, index, keys, logger, instanceId: 'w1', batchSize: 7 });
    while ((await writer.flushOnce()) > 0) {
      // until the streams are written
    }
    await add(1);
    // A second writer (a restart) picks up from Elasticsearch alone.
    await ctx.redis.del(keys.auditWriterLock);
    const next = new AuditWriter({ redis: ctx.redis, es: ctx.es, index, keys, logger, instanceId: 'w2', batchSize: 7 });
    while ((await next.flushOnce()) > 0) {
      // until the streams are written
    }
    await ctx.es.indices.refresh({ index });
    const res = await ctx.es.search<{ seq: number; data: { stream: string; round: number; i: number } }>({ index, size: 1000, sort: [{ seq: 'asc' }], query: { term: { type: 'test.event' } } });
    const events = res.hits.hits.map((h) => h._source!);
    expect(events).toHaveLength(streams.length * 12);
    for (const s of streams) {
      const order = events.filter((e) => e.data.stream === s.label).map((e) => e.data.round * 100 + e.data.i);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(new Set(order).size).toBe(12);
    }
    expect((await verifyAuditChain(ctx.es, index)).ok).toBe(true);
  });
});

describe('reads across shards', () => {
  it('come back in order whether sent as one pipeline or, as on Redis Cluster, one per hash tag', async () => {
    const keys = moderationKeys(freshPrefix(), 16);
    for (const s of keys.shards) await ctx.redis.set(s.cases, s.label);
    const reads = keys.shards.map((s) => ({ key: s.cases, add: (p: Parameters<Parameters<typeof pipelined>[1][number]['add']>[0]) => p.get(s.cases) }));
    expect(await pipelined(ctx.redis, reads)).toEqual(keys.shards.map((s) => s.label));
    // As on a cluster client: 16 pipelines, one per shard tag, sent at once; replies still in order.
    expect(await pipelined(ctx.redis, [...reads].reverse(), true)).toEqual(keys.shards.map((s) => s.label).reverse());
  });
});
