import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { caseIdFor } from '@takedown/shared';
import { claimCase, startPipeline, reportBody, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';
import { startIngest, type IngestService } from '../support/ingest-service';
import { startWorkerMain, type WorkerMain, type WorkerName } from '../support/worker-main';
import { parsePrometheusText, type MetricFamily } from '../support/prometheus-text';
import { eventually } from '../support/test-context';

/**
 * /metrics of every service and worker: each needs a token of a scrape role
 * (401 without one, 403 for another role), answers the Prometheus text
 * format (read by a strict parser), carries Node's process and runtime
 * metrics labelled with its name, moves when the work it counts is done, and
 * never shows a token, a person, a reporter or a content id. The workers run
 * from their real composition roots, as child processes.
 */
let p: Pipeline;
let search: SearchProxy;
let ingest: IngestService;
let dataDir: string;
const workers = new Map<WorkerName, WorkerMain>();
/** The decision the third test records (the last test looks for it in every scrape). */
let decisionId = '';
const WORKERS: readonly WorkerName[] = ['triage', 'actions', 'backfill', 'legal', 'dsa-submitter'];

beforeAll(async () => {
  // The pipeline's own triage worker is paused: the triage process below does the triage.
  p = await startPipeline('metrics', { startTriage: false });
  // And its actions worker closed (a paused one may still take the job its blocking read returns): the actions process applies the decisions.
  await p.actions.close();
  search = await startSearchProxy(p.ctx.config);
  ingest = await startIngest(p.ctx.config);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'takedown-metrics-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    NODE_ENV: 'test',
    REDIS_URL: p.ctx.config.redis.url,
    ELASTICSEARCH_URL: p.ctx.config.elasticsearch.url,
    TAKEDOWN_INDEX_PREFIX: p.ctx.prefix,
    TAKEDOWN_CONTENT_INDEX: p.ctx.config.contentIndex,
    TAKEDOWN_QUEUE_PREFIX: p.ctx.config.queuePrefix,
    // The legal worker's development keys.
    TAKEDOWN_DATA_DIR: dataDir,
  };
  for (const w of await Promise.all(WORKERS.map((name) => startWorkerMain(name, env)))) workers.set(w.name, w);
}, 180_000);

afterAll(async () => {
  await Promise.all([...workers.values()].map((w) => w.stop()));
  await search?.stop();
  await ingest?.stop();
  await p?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Every scrape target: its name (the `service` label) and its /metrics URL. */
function targets(): { service: string; url: string }[] {
  return [
    { service: 'moderation-api', url: `${p.url}/metrics` },
    { service: 'search', url: `${search.url}/metrics` },
    { service: 'ingest', url: `${ingest.url}/metrics` },
    ...WORKERS.map((name) => ({ service: name, url: (workers.get(name) as WorkerMain).metricsUrl })),
  ];
}

async function scrape(url: string, token?: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function families(url: string): Promise<Map<string, MetricFamily>> {
  const r = await scrape(url, p.tokens.metrics);
  expect({ url, status: r.status }).toEqual({ url, status: 200 });
  return parsePrometheusText(r.text);
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there is none). */
const total = (f: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}) =>
  [...f.values()].flatMap((m) => m.samples).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

describe('/metrics on every service and worker', () => {
  it('refuses a caller without a token (401) and a token of another role (403); admits the metrics and admin roles', async () => {
    const seen: Record<string, number[]> = {};
    for (const t of targets()) {
      seen[t.service] = [(await scrape(t.url)).status, (await scrape(t.url, p.tokens.reporter)).status, (await scrape(t.url, p.tokens.metrics)).status, (await scrape(t.url, p.tokens.admin)).status];
    }
    expect(seen).toEqual(Object.fromEntries(targets().map((t) => [t.service, [401, 403, 200, 200]])));
  });

  it('answers the text format 0.0.4, strictly parsed, with the process and runtime metrics labelled by service', async () => {
    for (const t of targets()) {
      const r = await scrape(t.url, p.tokens.metrics);
      expect({ service: t.service, type: r.type }).toEqual({ service: t.service, type: 'text/plain; version=0.0.4; charset=utf-8' });
      const f = parsePrometheusText(r.text);
      for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
        const family = f.get(name);
        expect({ service: t.service, name, labels: family?.samples[0]?.labels }).toEqual({ service: t.service, name, labels: { service: t.service } });
      }
      // Every sample of the process carries its service label (the per-scrape figures of the API too).
      const unlabelled = [...f.values()].flatMap((m) => m.samples).filter((s) => s.labels['service'] !== t.service);
      expect({ service: t.service, unlabelled: unlabelled.slice(0, 3) }).toEqual({ service: t.service, unlabelled: [] });
    }
  });

  it('moves when the work it counts is done: a report triaged and a decision applied by the worker processes, a blocked search, a bulk write', async () => {
    const triageUrl = (workers.get('triage') as WorkerMain).metricsUrl;
    const actionsUrl = (workers.get('actions') as WorkerMain).metricsUrl;
    const before = {
      triage: await families(triageUrl),
      actions: await families(actionsUrl),
      api: await families(`${p.url}/metrics`),
      search: await families(`${search.url}/metrics`),
      ingest: await families(`${ingest.url}/metrics`),
    };
    await p.ctx.es.index({ index: p.ctx.config.contentIndex, id: 'metrics-post-1', document: { id: 'metrics-post-1', type: 'post', text: 'Selling cocaine tonight', authorId: 'author-1', createdAt: '2026-11-20T10:00:00.000Z' }, refresh: true });
    expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('metrics-post-1', { reportId: 'metrics-report-1' }))).status).toBe(202);
    await eventually(() => p.deps.cases.get(caseIdFor('metrics-post-1')), 30_000);
    // BullMQ's completed event (the job counter) comes after the handler counted the report: wait for it.
    const completed = (f: Map<string, MetricFamily>) => total(f, 'takedown_worker_jobs_total', { queue: 'reports', outcome: 'completed' });
    const triaged = await eventually(async () => {
      const f = await families(triageUrl);
      return completed(f) > completed(before.triage) ? f : undefined;
    }, 10_000);
    expect(completed(triaged) - completed(before.triage)).toBe(1);
    expect(total(triaged, 'takedown_triage_reports_total', { outcome: 'enqueued' }) - total(before.triage, 'takedown_triage_reports_total', { outcome: 'enqueued' })).toBe(1);
    expect(total(triaged, 'takedown_worker_job_duration_seconds_count', { queue: 'reports' }) - total(before.triage, 'takedown_worker_job_duration_seconds_count', { queue: 'reports' })).toBe(1);
    const api = await families(`${p.url}/metrics`);
    expect(total(api, 'takedown_review_queue_depth') - total(before.api, 'takedown_review_queue_depth')).toBe(1);

    const claimed = await claimCase(p, 'metrics-post-1');
    const d = await p.call('POST', `/v1/review/${claimed.case.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'remove', category: 'drugs', legalGround: 'Sale of controlled substances' });
    expect(d.status).toBe(201);
    decisionId = d.body.decisionId as string;
    const done = (f: Map<string, MetricFamily>) => total(f, 'takedown_worker_jobs_total', { queue: 'actions', outcome: 'completed' });
    const applied = await eventually(async () => {
      const f = await families(actionsUrl);
      return done(f) > done(before.actions) ? f : undefined;
    }, 30_000);
    const delta = (name: string, labels: Record<string, string> = {}) => total(applied, name, labels) - total(before.actions, name, labels);
    expect([delta('takedown_actions_decisions_total', { action: 'remove', outcome: 'applied' }), delta('takedown_actions_decision_to_takedown_seconds_count')]).toEqual([1, 1]);
    const decided = await families(`${p.url}/metrics`);
    expect(total(decided, 'takedown_decisions_total', { action: 'remove' }) - total(before.api, 'takedown_decisions_total', { action: 'remove' })).toBe(1);
    expect(total(decided, 'takedown_decision_to_takedown_seconds_count') - total(before.api, 'takedown_decision_to_takedown_seconds_count')).toBe(1);

    // "cocaine" hits the pipeline's block_query rule.
    const blocked = await fetch(`${search.url}/${p.ctx.config.contentIndex}/_search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: { match: { text: 'cocaine' } } }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(blocked.headers.get('x-takedown-blocked')).not.toBeNull();
    await blocked.text();
    const s = await families(`${search.url}/metrics`);
    expect(total(s, 'takedown_search_blocked_total') - total(before.search, 'takedown_search_blocked_total')).toBe(1);
    expect(
      total(s, 'takedown_search_request_duration_seconds_count', { endpoint: '_search', outcome: 'blocked' }) -
        total(before.search, 'takedown_search_request_duration_seconds_count', { endpoint: '_search', outcome: 'blocked' }),
    ).toBe(1);

    const bulk = await fetch(`${ingest.url}/_bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ index: { _index: p.ctx.config.contentIndex, _id: 'metrics-post-2' } })}\n${JSON.stringify({ id: 'metrics-post-2', type: 'post', text: 'a quiet post', authorId: 'metrics-author-2', createdAt: '2026-11-20T10:00:00Z' })}\n`,
      signal: AbortSignal.timeout(30_000),
    });
    expect(bulk.status).toBe(200);
    await bulk.text();
    const i = await families(`${ingest.url}/metrics`);
    expect(total(i, 'takedown_ingest_items_total', { op: 'index', outcome: 'ok' }) - total(before.ingest, 'takedown_ingest_items_total', { op: 'index', outcome: 'ok' })).toBe(1);
  });

  it('shows no token, person, reporter, author or content id', async () => {
    // After the test above: a report, a case, a decision, a search and a write went through.
    expect(decisionId).not.toBe('');
    const secrets = [...Object.values(p.tokens), decisionId, 'metrics-post-1', 'metrics-report-1', 'metrics-post-2', 'metrics-author-2', 'author-1', 'reporter-7', caseIdFor('metrics-post-1')];
    const people = (await p.deps.tokens.people.list()).map((person) => person.id);
    expect(people.length).toBeGreaterThan(5);
    for (const id of [...people]) for (const t of await p.deps.tokens.listFor(id)) people.push(t.id);
    for (const t of targets()) {
      const { text } = await scrape(t.url, p.tokens.metrics);
      expect({ service: t.service, found: [...secrets, ...people].filter((s) => text.includes(s)) }).toEqual({ service: t.service, found: [] });
    }
  });
});
