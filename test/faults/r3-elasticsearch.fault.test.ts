// R3 (issue 15): Elasticsearch hung (SIGSTOP), then killed (SIGKILL) and
// brought back. Bounds: search answers 503 in Elasticsearch's shape, never
// results and never a hang; decisions taken meanwhile are accepted and
// applied after recovery; none lost; the search service recovers by itself.
import { caseIdFor, ensureContentIndex } from '@takedown/shared';
import { startOutboxSweeper } from '@takedown/actions-worker';
import { report, startFaultServices, type FaultServices } from './support/fault-services';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';
import { eventually } from '../support/test-context';
import { timed, type TimedAnswer } from '../support/timed-fetch';

/** Far above the 1.5 s bound the search keeps: only proves a request does not hang. */
const HANG_BOUND_MS = 10_000;
/** Posts reported and decided: a third while Elasticsearch is hung, a third while it is down, a third after. */
const POSTS = 30;
/** How long Elasticsearch stays stopped (hung) before it is killed. */
const HUNG_MS = 8_000;

let svc: FaultServices;
let p: Pipeline;
let proxy: SearchProxy;
let index: string;
let stopSweeper: () => void;
const restoreEnv = { REDIS_URL: process.env.REDIS_URL, ELASTICSEARCH_URL: process.env.ELASTICSEARCH_URL };

beforeAll(async () => {
  svc = await startFaultServices('r3-elasticsearch');
  // The pipeline and the search service read their servers from the environment: point them at the suite's own.
  process.env.REDIS_URL = svc.redisUrl;
  process.env.ELASTICSEARCH_URL = svc.elasticsearchUrl;
  p = await startPipeline('r3-es');
  index = p.ctx.config.contentIndex;
  // As the actions worker's composition root does: decisions recorded but not applied are re-enqueued.
  stopSweeper = startOutboxSweeper(p.deps.cases, p.deps.actions, p.deps.logger, 5_000, 2_000);
  proxy = await startSearchProxy(p.ctx.config);
}, 300_000);
afterAll(async () => {
  stopSweeper?.();
  await proxy?.stop();
  await p?.stop();
  await svc?.stop();
  Object.assign(process.env, restoreEnv);
}, 120_000);

const ids = Array.from({ length: POSTS }, (_, i) => `r3-post-${i}`);
/** Even posts are removed, odd ones kept. */
const removed = (id: string) => Number(id.split('-').pop()) % 2 === 0;

function search(): Promise<TimedAnswer> {
  return timed(
    `${proxy.url}/${index}/_search`,
    { method: 'POST', headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: { ids: { values: ids } }, size: 100 }) },
    HANG_BOUND_MS,
  );
}

/** A 503 in Elasticsearch's error shape that names no post: what a search must answer while Elasticsearch is away. */
function expectUnavailable(r: TimedAnswer, phase: string): void {
  expect({ phase, answered: 'status' in r }).toEqual({ phase, answered: true });
  if (!('status' in r)) return;
  expect({ phase, status: r.status }).toEqual({ phase, status: 503 });
  const body = JSON.parse(r.text) as { status: number; error: { type: string; reason: string } };
  expect(body.status).toBe(503);
  expect(typeof body.error.type).toBe('string');
  expect(typeof body.error.reason).toBe('string');
  expect(r.headers.get('x-elastic-product')).toBe('Elasticsearch');
  expect(r.text).not.toContain('r3-post');
}

test('Elasticsearch hung then killed: search 503s, decisions taken meanwhile are applied after recovery, none lost', async () => {
  await ensureContentIndex(p.ctx.es, index, 0);
  await p.ctx.es.bulk({
    refresh: true,
    operations: ids.flatMap((id) => [{ index: { _index: index, _id: id } }, { id, type: 'post', text: `market bread stall ${id}`, authorId: 'a-r3', createdAt: '2026-11-01T00:00:00Z' }]),
  });
  for (const id of ids) expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody(id))).status).toBe(202);
  // Every case claimed before the fault: claims need only Redis, but triage reads the platform's copy from Elasticsearch.
  const leases = new Map<string, { caseId: string; leaseToken: string }>();
  await eventually(async () => {
    const r = await p.call('POST', '/v1/review/claim', p.tokens.moderator, { queue: 'default' });
    if (r.status === 200) leases.set(r.body.case.contentId, { caseId: r.body.case.id, leaseToken: r.body.lease.token });
    return leases.size === POSTS;
  }, 60_000);
  const before = await search();
  expect(statusOf200(before)).toBe(POSTS);

  const decide = async (id: string) => {
    const l = leases.get(id)!;
    const t0 = performance.now();
    const r = await p.call('POST', `/v1/review/${l.caseId}/decision`, p.tokens.moderator, {
      leaseToken: l.leaseToken,
      action: removed(id) ? 'remove' : 'keep',
      category: 'drugs',
      legalGround: removed(id) ? 'sale of drugs' : 'no violation',
    });
    return { status: r.status, ms: Math.round(performance.now() - t0), decisionId: r.body?.decisionId as string | undefined };
  };
  const third = POSTS / 3;
  const decisions: { id: string; phase: string; status: number; ms: number; decisionId?: string }[] = [];
  const searches: Record<string, number[]> = { hung: [], down: [] };

  // --- hung: the process stopped, its sockets open and silent ---
  svc.signal('elasticsearch', 'SIGSTOP');
  const hungAt = performance.now();
  for (const id of ids.slice(0, third)) decisions.push({ id, phase: 'hung', ...(await decide(id)) });
  while (performance.now() - hungAt < HUNG_MS) {
    const r = await search();
    searches.hung!.push(r.ms);
    expectUnavailable(r, 'hung');
  }

  // --- down: killed; connections refused until it is back ---
  svc.signal('elasticsearch', 'SIGKILL');
  for (const id of ids.slice(third, 2 * third)) decisions.push({ id, phase: 'down', ...(await decide(id)) });
  for (let i = 0; i < 5; i++) {
    const r = await search();
    searches.down!.push(r.ms);
    expectUnavailable(r, 'down');
  }
  const restartAt = performance.now();
  await svc.restart();
  const restartMs = Math.round(performance.now() - restartAt);
  const outageMs = Math.round(performance.now() - hungAt);
  for (const id of ids.slice(2 * third)) decisions.push({ id, phase: 'after', ...(await decide(id)) });
  // Every decision taken while Elasticsearch was away was accepted.
  expect(decisions.filter((d) => d.status !== 201)).toEqual([]);

  // --- recovery: the same search service, never restarted ---
  const recoverAt = performance.now();
  const recovered = await eventually(async () => {
    const r = await search();
    return 'status' in r && r.status === 200 ? r : undefined;
  }, 120_000);
  const searchRecoveredMs = Math.round(performance.now() - recoverAt);
  expect(statusOf200(recovered)).toBeGreaterThanOrEqual(0);

  // Every decision applied: the case store says so, the content says so, and the search shows exactly the kept posts.
  await eventually(async () => {
    for (const d of decisions) if (!(await p.deps.cases.decision(caseIdFor(d.id), d.decisionId!))?.appliedAt) return false;
    return true;
  }, 600_000);
  const appliedMs = Math.round(performance.now() - recoverAt);
  const failedJobs = await p.deps.actions.queue.getFailedCount();
  await p.ctx.es.indices.refresh({ index });
  const shown = await eventually(async () => {
    const r = await search();
    return 'status' in r && r.status === 200 ? (JSON.parse(r.text) as { hits: { hits: { _id: string }[] } }).hits.hits.map((h) => h._id).sort() : undefined;
  });
  const kept = ids.filter((id) => !removed(id)).sort();
  const lostRemovals = ids.filter(removed).filter((id) => shown.includes(id));
  const lostKeeps = kept.filter((id) => !shown.includes(id));
  expect({ lostRemovals, lostKeeps }).toEqual({ lostRemovals: [], lostKeeps: [] });

  const stats = (ms: number[]) => ({ n: ms.length, maxMs: Math.max(...ms), p50Ms: [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] });
  report('R3 elasticsearch hung then killed', {
    posts: POSTS,
    hungMs: HUNG_MS,
    outageMs,
    restartMs,
    search503: { hung: stats(searches.hung!), down: stats(searches.down!), boundMs: 1500 },
    decisions: Object.fromEntries(['hung', 'down', 'after'].map((ph) => [ph, { accepted: decisions.filter((d) => d.phase === ph && d.status === 201).length, maxMs: Math.max(...decisions.filter((d) => d.phase === ph).map((d) => d.ms)) }])),
    searchRecoveredMs,
    allAppliedAfterRestartMs: appliedMs,
    failedActionJobs: failedJobs,
    lost: lostRemovals.length + lostKeeps.length,
  });
});

/** The number of hits of a 200 search, or -1 for any other answer. */
function statusOf200(r: TimedAnswer): number {
  return 'status' in r && r.status === 200 ? (JSON.parse(r.text) as { hits: { hits: unknown[] } }).hits.hits.length : -1;
}
