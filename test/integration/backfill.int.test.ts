import { Client } from '@elastic/elasticsearch';
import type { Worker } from 'bullmq';
import { buildBackfillDeps, createBackfillMetrics, createBackfillWorker } from '@takedown/backfill-worker';
import { Registry } from '@takedown/shared';
import { scrapeValue } from '../support/prometheus-text';
import { normalize } from '@takedown/search-rules';
import type { ContentDocument } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

const DOCS = 20_000;
const EVERY = 10; // one document in ten carries the phrase

let p: Pipeline;
let proxy: SearchProxy;
let client: Client;
let worker: Worker;
let backfill: Awaited<ReturnType<typeof buildBackfillDeps>>;
/** The backfill worker's progress metrics. */
const registry = new Registry();
let index: string;

beforeAll(async () => {
  p = await startPipeline('backfill');
  index = p.ctx.config.contentIndex;
  await p.ctx.es.indices.putSettings({ index, settings: { refresh_interval: '1s' } });
  for (let start = 0; start < DOCS; start += 5000) {
    const operations: object[] = [];
    for (let i = start; i < start + 5000; i++) {
      const text = i % EVERY === 0 ? `Zqxbrand  P.I.L.L.S in stock, post ${i}` : `an ordinary post number ${i} about gardens`;
      // As ingest stored them with the version before: normalised, scanned.
      const doc: ContentDocument = { id: `bf-${i}`, type: 'post', text, authorId: `u${i % 50}`, lang: 'en', createdAt: '2026-11-01T00:00:00Z', moderation: { normalizedText: normalize(text), scannedVersion: 1, updatedAt: '2026-11-01T00:00:00Z' } };
      operations.push({ index: { _index: index, _id: doc.id } }, doc);
    }
    await p.ctx.es.bulk({ operations });
  }
  await p.ctx.es.indices.refresh({ index });
  proxy = await startSearchProxy(p.ctx.config);
  client = new Client({ node: proxy.url, auth: { bearer: p.tokens.search } });
  backfill = await buildBackfillDeps({ ...p.ctx.config, docsPerSec: 800, slices: 2, settleMs: 300 });
  worker = createBackfillWorker({ ...backfill, metrics: createBackfillMetrics(registry) }, { connection: p.ctx.bullConnection, prefix: p.ctx.config.queuePrefix, concurrency: 1, logger: p.deps.logger });
}, 120_000);
afterAll(async () => {
  await worker.close();
  await backfill.close();
  await client.close();
  await proxy.stop();
  await p.stop();
});

const lead = (method: string, path: string, body?: unknown) => p.call(method, path, p.tokens.lead, body);
const visible = async () => (await client.search({ index, query: { match: { text: 'zqxbrand' } }, size: 0, track_total_hits: true })).hits.total as { value: number };
const tagged = async () => {
  await p.ctx.es.indices.refresh({ index });
  return (await p.ctx.es.count({ index, query: { term: { 'moderation.ruleHits': 'zqx-pills' } } })).count;
};

describe(`backfill over ${DOCS} documents`, () => {
  it('tags every match, reports progress, and the documents are filtered before it finishes', async () => {
    expect((await visible()).value).toBe(DOCS / EVERY);
    const put = await lead('PUT', '/v1/rules/draft/zqx-pills', { kind: 'phrase', pattern: 'zqxbrand pills', category: 'drugs', scope: ['content'], action: 'exclude' });
    expect(put.status).toBe(201);
    const preview = await lead('GET', '/v1/rules/preview');
    const expected = preview.body.rules.find((r: { ruleId: string }) => r.ruleId === 'zqx-pills').contentMatches as number;
    expect(expected).toBe(DOCS / EVERY);

    const pub = await lead('POST', '/v1/rules/publish', { note: 'zqx' });
    expect(pub.status).toBe(201);
    // Planned against the watermark: nothing was back-filled yet, so the pipeline's own content rules come along.
    expect(pub.body.backfill).toMatchObject({ jobId: `backfill-v${pub.body.version}`, apply: 3, clear: 0 });

    // Filtered at query time while the backfill is still running.
    await eventually(async () => (await visible()).value === 0, 3000);
    const during = await lead('GET', '/v1/rules/backfill');
    const job = during.body.jobs.find((j: { jobId: string }) => j.jobId === pub.body.backfill.jobId);
    expect(job.state).not.toBe('completed');
    expect(during.body.pendingForSearch).toContain('zqx-pills');
    const midway = await eventually(async () => {
      const j = (await lead('GET', '/v1/rules/backfill')).body.jobs.find((x: { jobId: string }) => x.jobId === pub.body.backfill.jobId);
      return j.progress?.done > 0 && j.progress.done < j.progress.total ? j.progress : undefined;
    }, 10000);
    expect(midway).toMatchObject({ phase: 'applying', total: expected });
    expect(midway.ratePerSec).toBeGreaterThan(0);
    // The worker's metrics show the running job's progress, labelled by its version only.
    const labels = { ruleset_version: String(pub.body.version) };
    const gauges = await eventually(async () => {
      const text = await registry.metrics();
      const done = scrapeValue(text, 'takedown_backfill_documents_done', labels);
      return done !== undefined && done > 0 ? text : undefined;
    }, 10000);
    expect([scrapeValue(gauges, 'takedown_backfill_documents_total', labels), scrapeValue(gauges, 'takedown_backfill_jobs_running')]).toEqual([expected, 1]);

    // It finishes: every match tagged (the preview's count), nothing else, and the pending set empties.
    const done = await eventually(async () => {
      const j = (await lead('GET', '/v1/rules/backfill')).body.jobs.find((x: { jobId: string }) => x.jobId === pub.body.backfill.jobId);
      return j.state === 'completed' ? j : undefined;
    }, 60000);
    // The documents were scanned before (scannedVersion), so nothing needed a full scan.
    expect(done.progress).toMatchObject({ phase: 'done', done: expected, total: expected, tagged: expected, scanned: 0, etaSeconds: 0 });
    expect((await lead('GET', '/v1/rules/backfill')).body.backfilledThrough).toBe(pub.body.version);
    const ended = await registry.metrics();
    expect([scrapeValue(ended, 'takedown_backfill_documents_done', labels), scrapeValue(ended, 'takedown_backfill_jobs_running')]).toEqual([undefined, 0]);
    expect(await tagged()).toBe(expected);
    expect((await p.ctx.es.count({ index, query: { term: { 'moderation.state': 'excluded' } } })).count).toBe(expected);
    expect((await lead('GET', '/v1/rules/backfill')).body.pendingForSearch).toEqual([]);
    expect((await visible()).value).toBe(0);

    // Rolling back clears the tags the same way, and the posts are searchable again.
    const rb = await lead('POST', '/v1/rules/rollback', { version: pub.body.version - 1 });
    expect(rb.body.backfill).toMatchObject({ apply: 0, clear: 1 });
    await eventually(async () => {
      const j = (await lead('GET', '/v1/rules/backfill')).body.jobs.find((x: { jobId: string }) => x.jobId === rb.body.backfill.jobId);
      return j?.state === 'completed';
    }, 60000);
    expect(await tagged()).toBe(0);
    expect((await visible()).value).toBe(DOCS / EVERY);
  }, 120_000);
});
