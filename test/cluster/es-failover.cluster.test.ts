// Issue 18, part 5 (Elasticsearch half): one node of a three-node
// Elasticsearch is killed while ingest writes and searches run through the
// real services. Correctness only, no timing asserts: every write the ingest
// service acknowledged is there after the cluster recovers (yellow) and after
// the node is back (green); every search answers either filtered results or a
// 503, never a removed post; decisions taken during the outage are applied.
// Figures (how many writes were acknowledged, refused, how long the outage
// looked from outside) are printed as one JSON line.
import type { ContentDocument } from '@takedown/shared';
import { clusterServices, type ClusterServices } from './support/cluster-services';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { startIngest, type IngestService } from '../support/ingest-service';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';
import { eventually } from '../support/test-context';
import { timed, type TimedAnswer } from '../support/timed-fetch';

/** Far above any bound the services keep: only proves a request does not hang. */
const HANG_BOUND_MS = 60_000;
/** Posts written before the fault; every fourth is removed by a moderator before it. */
const BEFORE = 40;
/** Posts reported and claimed before the fault, removed while the node is down. */
const DECIDED_DURING = 4;
/** Writes sent through ingest while the node is down (one at a time, so bounded). */
const DURING = 60;

let svc: ClusterServices;
let p: Pipeline;
let ingest: IngestService;
let proxy: SearchProxy;
let index: string;
const restoreEnv = { REDIS_URL: process.env.REDIS_URL, ELASTICSEARCH_URL: process.env.ELASTICSEARCH_URL, TAKEDOWN_ES_REPLICAS: process.env.TAKEDOWN_ES_REPLICAS };

beforeAll(async () => {
  svc = clusterServices();
  // The services read their servers from the environment: the suite's standalone Redis (they take no
  // Redis Cluster yet) and every node of the three-node Elasticsearch, with one replica per index.
  process.env.REDIS_URL = svc.standaloneRedisUrl;
  process.env.ELASTICSEARCH_URL = svc.elasticsearchUrl;
  process.env.TAKEDOWN_ES_REPLICAS = '1';
  p = await startPipeline('es-failover');
  index = p.ctx.config.contentIndex;
  ingest = await startIngest(p.ctx.config);
  proxy = await startSearchProxy(p.ctx.config);
}, 300_000);

afterAll(async () => {
  await proxy?.stop();
  await ingest?.stop();
  await p?.stop();
  for (const [k, v] of Object.entries(restoreEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}, 120_000);

const post = (id: string) => ({ id, type: 'post', text: `market bread stall ${id}`, authorId: 'a-cluster', lang: 'en', createdAt: '2026-11-20T10:00:00.000Z' });

function put(id: string): Promise<TimedAnswer> {
  return timed(
    `${ingest.url}/${index}/_doc/${id}`,
    { method: 'PUT', headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/json' }, body: JSON.stringify(post(id)) },
    HANG_BOUND_MS,
  );
}

function search(ids: string[]): Promise<TimedAnswer> {
  return timed(
    `${proxy.url}/${index}/_search`,
    { method: 'POST', headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: { ids: { values: ids } }, size: 1000 }) },
    HANG_BOUND_MS,
  );
}

const hitsOf = (r: TimedAnswer): string[] => ('status' in r && r.status === 200 ? (JSON.parse(r.text) as { hits: { hits: { _id: string }[] } }).hits.hits.map((h) => h._id) : []);
const statusOf = (r: TimedAnswer): string => ('status' in r ? String(r.status) : `no answer (${r.error})`);
const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

async function health(): Promise<{ status: string; number_of_nodes: number }> {
  return (await p.ctx.es.cluster.health({ index })) as unknown as { status: string; number_of_nodes: number };
}

/** The node.name holding the content index's primary shard. */
async function primaryNode(): Promise<string> {
  const shards = await p.ctx.es.cat.shards({ index, format: 'json' });
  const primary = shards.find((s) => s.prirep === 'p' && s.state === 'STARTED');
  if (!primary?.node) throw new Error(`no started primary for ${index}: ${JSON.stringify(shards)}`);
  return primary.node;
}

test('the indices Takedown creates carry one replica, assigned on another node', async () => {
  // Created by the API's and ingest's composition roots at start (ensureContentIndex and the takedown indices).
  const owned = [index, ...Object.values(p.deps.indices)].filter((n): n is string => typeof n === 'string');
  const settings = await p.ctx.es.indices.getSettings({ index: owned.join(','), name: 'index.number_of_replicas' });
  const replicas = Object.fromEntries(Object.entries(settings).map(([name, s]) => [name, s.settings?.index?.number_of_replicas]));
  expect(Object.keys(replicas).sort()).toEqual([...new Set(owned)].sort());
  for (const name of Object.keys(replicas)) expect({ name, replicas: replicas[name] }).toEqual({ name, replicas: '1' });
  // Green: every replica found a node other than its primary's.
  await eventually(async () => (await health()).status === 'green', 120_000);
  const shards = await p.ctx.es.cat.shards({ index, format: 'json' });
  const nodes = shards.map((s) => s.node);
  expect(shards.map((s) => s.prirep).sort()).toEqual(['p', 'r']);
  expect(new Set(nodes).size).toBe(2);
});

test('killing the node that holds the primary: acknowledged writes survive, search stays filtered, decisions apply', async () => {
  // --- before: posts written through ingest; some removed by moderators, some claimed for later ---
  const before = Array.from({ length: BEFORE }, (_, i) => `pre-${i}`);
  for (const id of before) expect(statusOf(await put(id))).toMatch(/^20[01]$/);
  const removedBefore = before.filter((_, i) => i % 4 === 0);
  const removedDuring = before.filter((_, i) => i % 4 === 1).slice(0, DECIDED_DURING);
  for (const id of [...removedBefore, ...removedDuring]) expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody(id))).status).toBe(202);
  const leases = new Map<string, { caseId: string; leaseToken: string }>();
  await eventually(async () => {
    const r = await p.call('POST', '/v1/review/claim', p.tokens.moderator, { queue: 'default' });
    if (r.status === 200) leases.set(r.body.case.contentId, { caseId: r.body.case.id, leaseToken: r.body.lease.token });
    return leases.size === removedBefore.length + removedDuring.length;
  }, 120_000);
  const decide = async (id: string) => {
    const l = leases.get(id)!;
    const r = await p.call('POST', `/v1/review/${l.caseId}/decision`, p.tokens.moderator, { leaseToken: l.leaseToken, action: 'remove', category: 'drugs', legalGround: 'sale of drugs' });
    return { id, caseId: l.caseId, status: r.status, decisionId: r.body?.decisionId as string | undefined };
  };
  const decisions: { id: string; caseId: string; status: number; decisionId?: string | undefined }[] = [];
  for (const id of removedBefore) decisions.push(await decide(id));
  expect(decisions.filter((d) => d.status !== 201)).toEqual([]);
  await eventually(async () => {
    for (const d of decisions) if (!(await p.deps.cases.decision(d.caseId, d.decisionId!))?.appliedAt) return false;
    return true;
  }, 120_000);
  await p.ctx.es.indices.refresh({ index });
  const shownBefore = hitsOf(await search(before));
  expect(shownBefore.filter((id) => removedBefore.includes(id))).toEqual([]);
  expect(shownBefore.length).toBe(BEFORE - removedBefore.length);

  // --- fault: SIGKILL the node with the primary while writes, searches and decisions run ---
  const killedName = await primaryNode();
  const killed = svc.esNodeIndex(killedName);
  const t0 = performance.now();
  svc.signalEsNode(killed, 'SIGKILL');

  const during = Array.from({ length: DURING }, (_, i) => `during-${i}`);
  const acked: string[] = [];
  const writeStatuses: string[] = [];
  const searchStatuses: string[] = [];
  const leaks: { id: string; phase: string }[] = [];
  const removed = () => [...removedBefore, ...decisions.filter((d) => d.status === 201 && removedDuring.includes(d.id)).map((d) => d.id)];
  let writing = true;
  const checkSearch = async (phase: string) => {
    const r = await search([...before, ...during]);
    searchStatuses.push(statusOf(r));
    // Removed before the fault: never shown. Removed during it: shown only until the takedown is published.
    for (const id of hitsOf(r)) if (removedBefore.includes(id)) leaks.push({ id, phase });
  };
  const searcher = (async () => {
    while (writing) await checkSearch('during');
  })();
  const writer = (async () => {
    try {
      for (let i = 0; i < DURING; i++) {
        const id = during[i]!;
        const r = await put(id);
        writeStatuses.push(statusOf(r));
        if ('status' in r && (r.status === 200 || r.status === 201)) acked.push(id);
        // The moderator's decisions land in the middle of the outage.
        if (i === Math.floor(DURING / 4)) for (const did of removedDuring) decisions.push(await decide(did));
      }
    } finally {
      writing = false;
    }
  })();
  await Promise.all([writer, searcher]);
  const outageLoopMs = Math.round(performance.now() - t0);

  // Every answer was a filtered 200 or a 503 (Elasticsearch's error shape, fail closed).
  expect(searchStatuses.filter((s) => s !== '200' && s !== '503')).toEqual([]);
  expect(writeStatuses.filter((s) => !['200', '201', '503'].includes(s))).toEqual([]);
  expect(leaks).toEqual([]);
  expect(decisions.filter((d) => d.status !== 201)).toEqual([]);

  // --- recovered on two nodes (yellow): every acknowledged write is there, decisions applied ---
  await eventually(async () => {
    const h = await health();
    return h.number_of_nodes === 2 && (h.status === 'yellow' || h.status === 'green');
  }, 180_000);
  const yellowMs = Math.round(performance.now() - t0);
  const promotedTo = await primaryNode();
  expect(promotedTo).not.toBe(killedName);
  await p.ctx.es.indices.refresh({ index });
  const present = async (ids: string[]) => {
    const r = await p.ctx.es.mget<ContentDocument>({ index, ids });
    return r.docs.filter((d) => 'found' in d && d.found).map((d) => d._id);
  };
  const presentYellow = new Set(await present(acked));
  expect(acked.filter((id) => !presentYellow.has(id))).toEqual([]);
  await eventually(async () => {
    for (const d of decisions) if (!(await p.deps.cases.decision(d.caseId, d.decisionId!))?.appliedAt) return false;
    return true;
  }, 300_000);
  await p.ctx.es.indices.refresh({ index });
  const shownYellow = await eventually(async () => {
    const r = await search([...before, ...during]);
    return 'status' in r && r.status === 200 ? hitsOf(r) : undefined;
  }, 60_000);
  const gone = removed();
  expect(shownYellow.filter((id) => gone.includes(id))).toEqual([]);
  const expectedVisible = [...before.filter((id) => !gone.includes(id)), ...acked];
  expect(expectedVisible.filter((id) => !shownYellow.includes(id))).toEqual([]);

  // --- the node comes back: green again, nothing lost, still filtered ---
  await checkSearch('restart');
  await svc.restart();
  await eventually(async () => {
    const h = await health();
    return h.number_of_nodes === 3 && h.status === 'green';
  }, 300_000);
  const greenMs = Math.round(performance.now() - t0);
  const presentGreen = new Set(await present(acked));
  expect(acked.filter((id) => !presentGreen.has(id))).toEqual([]);
  const shownGreen = hitsOf(await search([...before, ...during]));
  expect(shownGreen.filter((id) => gone.includes(id))).toEqual([]);
  expect(expectedVisible.filter((id) => !shownGreen.includes(id))).toEqual([]);
  expect(leaks).toEqual([]);

  process.stdout.write(
    `${JSON.stringify({
      scenario: 'ES node holding the primary killed (3 nodes, 1 replica)',
      killed: killedName,
      primaryMovedTo: promotedTo,
      writes: { sent: DURING, acknowledged: acked.length, statuses: count(writeStatuses) },
      searches: { sent: searchStatuses.length, statuses: count(searchStatuses), unfilteredLeaks: leaks.length },
      decisionsDuringOutage: removedDuring.length,
      lostAcknowledged: acked.length - presentGreen.size,
      outageLoopMs,
      yellowAfterMs: yellowMs,
      greenAfterRestartMs: greenMs,
    })}\n`,
  );
});
