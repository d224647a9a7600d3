import type { Worker } from 'bullmq';
import {
  CaseStore,
  CatalogQueue,
  ContentReader,
  RulesetStore,
  caseIdFor,
  createLogger,
  ensureTakedownIndices,
  getNotice,
  laneScore,
  moderationKeys,
  redisTarget,
  rulesetKeys,
  startLiveRuleset,
  type ReportJob,
  type TakedownIndexNames,
} from '@takedown/shared';
import { compileStoredRuleset, testing, type CompiledRuleset } from '@takedown/search-rules';
import { FoldBatcher, NoticeWriter, createTriageWorker, triageReport, type TriageDeps } from '@takedown/triage-worker';
import { createTestContext, eventually, type TestContext } from '../support/test-context';

// The triage worker shares round trips between the jobs it runs at once
// (folds in one pipeline, notice records in one bulk write). Each report
// must still land exactly once, with its audit event and its notice, and a
// replayed report must change nothing.

let ctx: TestContext;
let indices: TakedownIndexNames;
let cases: CaseStore;
let actions: CatalogQueue<'actions'>;
let live: Awaited<ReturnType<typeof startLiveRuleset<CompiledRuleset>>>;
let deps: TriageDeps;
const logger = createLogger({ name: 'triage-batching', level: 'silent' });

beforeAll(async () => {
  ctx = await createTestContext('triage-batching');
  indices = await ensureTakedownIndices(ctx.es, ctx.config.indexPrefix, 0);
  const keys = moderationKeys(ctx.config.queuePrefix);
  cases = new CaseStore(ctx.redis, keys, 600_000);
  await new RulesetStore(ctx.redis, rulesetKeys(ctx.config.queuePrefix)).publish([testing.rule('cocaine', 'cocaine', { scope: ['content'], action: 'flag_for_review' })], 'lead:test');
  live = await startLiveRuleset<CompiledRuleset>({ redis: ctx.redis, redisTarget: redisTarget(ctx.config.redis), queuePrefix: ctx.config.queuePrefix, name: 'triage-batching', compile: (r) => compileStoredRuleset(r), logger });
  actions = new CatalogQueue('actions', ctx.bullConnection, ctx.config.queuePrefix);
  deps = { cases, rules: live.rules, actions, notices: { es: ctx.es, index: indices.notices }, content: new ContentReader(ctx.es, ctx.config.contentIndex) };
});
afterAll(async () => {
  await actions.close();
  await live.stop();
  await ctx.cleanup();
});

const report = (contentId: string, n: number, memberState?: string): ReportJob => ({
  reportId: `tk_batch.${contentId}-r${n}`,
  receivedAt: new Date(Date.now() + n).toISOString(),
  content: { id: contentId, type: 'post', text: `selling cocaine, report ${n}`, authorId: 'author-1' },
  reporter: { type: 'user', id: `u${n}`, ...(memberState ? { memberState } : {}) },
  reason: 'drugs',
  filedBy: { tokenId: 'tk_batch', name: 'batch reporter' },
});

async function auditTypes(caseId: string): Promise<string[]> {
  const events = await ctx.redis.xrange(cases.keys.shardOf(caseId).audit, '-', '+');
  return events.map(([, f]) => JSON.parse(f[1] as string) as { type: string; caseId?: string }).filter((e) => e.caseId === caseId).map((e) => e.type);
}

describe('triage with concurrent jobs sharing round trips', () => {
  it('folds every report of many at once into its case exactly once, each with its audit event and notice; a replay changes nothing', async () => {
    const hot = 'batch-hot-post';
    const others = Array.from({ length: 10 }, (_, i) => `batch-post-${i}`);
    await ctx.es.index({ index: ctx.config.contentIndex, id: hot, document: { id: hot, type: 'post', text: 'selling cocaine here', authorId: 'author-1', createdAt: new Date().toISOString() }, refresh: true });
    // 15 reports on one post (their folds race on one case revision; fewer than the retries a job allows) and one each on ten posts the index lacks.
    const jobs = [...Array.from({ length: 15 }, (_, n) => report(hot, n)), ...others.map((id, n) => report(id, 100 + n))];
    const queue = new CatalogQueue('reports', ctx.bullConnection, ctx.config.queuePrefix);
    let worker: Worker | undefined;
    try {
      await queue.queue.addBulk(jobs.map((data) => ({ name: 'reports', data, opts: { jobId: data.reportId } })));
      let done = 0;
      worker = createTriageWorker(deps, { connection: ctx.bullConnection, prefix: ctx.config.queuePrefix, concurrency: 50, logger });
      worker.on('completed', () => void done++);
      await eventually(async () => done === jobs.length || undefined, 60_000);
    } finally {
      await worker?.close();
      await queue.close();
    }

    const hotCase = (await cases.get(caseIdFor(hot)))!;
    expect(hotCase.reportCount).toBe(15);
    expect(hotCase.content.source).toBe('platform');
    expect(await ctx.redis.hlen(cases.keys.caseReports(caseIdFor(hot)))).toBe(15);
    expect((await auditTypes(caseIdFor(hot))).filter((t) => t === 'report.received')).toHaveLength(15);
    for (const id of others) {
      const c = (await cases.get(caseIdFor(id)))!;
      expect(c.reportCount).toBe(1);
      expect(c.content.source).toBe('report');
    }
    const notices = await Promise.all(jobs.map((j) => getNotice(ctx.es, indices.notices, j.reportId)));
    expect(notices.map((n) => n?.caseId)).toEqual(jobs.map((j) => caseIdFor(j.content.id)));

    // Every job again, all at once through the batched path (a retried job): duplicates, nothing written twice.
    const batched = { ...deps, folds: new FoldBatcher(cases), notices: { ...deps.notices, writer: new NoticeWriter(ctx.es, indices.notices) } };
    const again = await Promise.all(jobs.map((j) => triageReport(batched, j)));
    expect(again.every((o) => o.result === 'duplicate')).toBe(true);
    expect((await cases.get(caseIdFor(hot)))!.rev).toBe(hotCase.rev);
    expect((await auditTypes(caseIdFor(hot))).filter((t) => t === 'report.received')).toHaveLength(15);
    expect((await getNotice(ctx.es, indices.notices, jobs[0]!.reportId))?.acknowledgedAt).toBe(notices[0]?.acknowledgedAt);
  });

  it('a notice write that fails fails its own job only; an existing record is left as it is', async () => {
    // An index that refuses one field (strict mapping without memberState): that report's create fails in the bulk.
    const index = `${ctx.config.indexPrefix}-strict-notices`;
    await ctx.es.indices.create({
      index,
      settings: { number_of_replicas: 0 },
      mappings: { dynamic: 'strict', properties: Object.fromEntries(['reportId', 'reference', 'tokenId', 'reporterType', 'category', 'contentId', 'caseId', 'receivedAt', 'acknowledgedAt'].map((f) => [f, { type: 'keyword' }])) },
    });
    await ctx.es.indices.putMapping({ index, properties: { decisions: { type: 'object', enabled: false } } });
    // One bulk at a time: the first record goes alone (a plain create), the two after it share one bulk.
    const writer = new NoticeWriter(ctx.es, index, 1);
    const plain = report('strict-post', 1);
    expect(await writer.record(plain, 'c_x')).toBe(true);
    const results = await Promise.allSettled([writer.record(plain, 'c_x'), writer.record(report('strict-post', 2, 'DE'), 'c_x'), writer.record(report('strict-post', 3), 'c_x')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseFulfilledResult<boolean>).value).toBe(false);
    expect((results[2] as PromiseFulfilledResult<boolean>).value).toBe(true);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('strict_dynamic_mapping_exception');
    // A scan's report is no notice: nothing written.
    expect(await writer.record({ ...plain, reportId: 'scan-1', filedBy: { tokenId: 'system', name: 'scan' } }, 'c_x')).toBe(false);
  });

  it('a fold that fails in a shared pipeline fails its own job only', async () => {
    const now = new Date();
    const fold = (contentId: string, lane: string) => {
      const r = report(contentId, 1);
      const caseId = caseIdFor(contentId);
      return {
        caseId,
        report: r,
        expectedRev: 0,
        fields: { id: caseId, contentId, lane: lane as 'default', priority: 100, category: 'drugs' as const, content: r.content, reportCount: 1, reporterTypes: ['user' as const], ruleHits: [], firstReportedAt: now.toISOString(), lastReportedAt: now.toISOString() },
        mode: 'enqueue' as const,
        score: laneScore(100, now),
        now,
        audit: { type: 'report.received', actor: 'test', at: now.toISOString(), caseId },
      };
    };
    const folds = new FoldBatcher(cases, 1);
    // The first goes alone; the next three wait for it and share one pipeline, the middle one naming no lane the script knows.
    const results = await Promise.allSettled([folds.fold(fold('pipe-0', 'default')), folds.fold(fold('pipe-1', 'default')), folds.fold(fold('pipe-2', 'nowhere')), folds.fold(fold('pipe-3', 'default'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[2] as PromiseRejectedResult).reason)).toContain('unknown lane');
    expect(await cases.get(caseIdFor('pipe-2'))).toBeUndefined();
    expect((await cases.get(caseIdFor('pipe-3')))?.rev).toBe(1);
    // The same fold again in a pipeline: a duplicate.
    expect(await folds.fold(fold('pipe-1', 'default'))).toEqual({ result: 'duplicate' });
  });
});
