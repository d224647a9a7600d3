// R4 (issue 15): 10,000 fuzzed requests per endpoint of the moderation API
// (every endpoint of its ACCESS table), the search service and the ingest
// service → not one answer ≥ 500, and none unanswered.
import fc from 'fast-check';
import { caseIdFor, ensureContentIndex, startHeartbeat } from '@takedown/shared';
import { ACCESS, type Endpoint } from '@takedown/moderation-api';
import { report, startFaultServices, type FaultServices } from './support/fault-services';
import { fuzzCampaign, type CampaignResult, type FuzzRequest } from './support/fuzz-campaign';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';
import { startIngest, type IngestService } from '../support/ingest-service';
import { FUZZ, MODERATION_BODY_KEYS, SEARCH_BODY_PARTS, deepValue, hostileEncoding, encodedRequest, hostileObject, hostileQuery, hugeString, smallValue } from '../support/hostile-input';

/** Requests per endpoint (TAKEDOWN_R4_RUNS to try it quicker). */
const RUNS = Number(process.env.TAKEDOWN_R4_RUNS ?? 10_000);
const CONCURRENCY = 32;

let svc: FaultServices;
let p: Pipeline;
let proxy: SearchProxy;
let ingest: IngestService;
let index: string;
let stopBeats: (() => Promise<void>)[] = [];
const restoreEnv = { REDIS_URL: process.env.REDIS_URL, ELASTICSEARCH_URL: process.env.ELASTICSEARCH_URL };

beforeAll(async () => {
  svc = await startFaultServices('r4-fuzz');
  process.env.REDIS_URL = svc.redisUrl;
  process.env.ELASTICSEARCH_URL = svc.elasticsearchUrl;
  // Triage stays paused: fuzzed reports that happen to be valid only queue up.
  p = await startPipeline('r4-fuzz', { startTriage: false });
  index = p.ctx.config.contentIndex;
  await ensureContentIndex(p.ctx.es, index, 0);
  await p.ctx.es.index({ index, id: 'r4-doc', document: { id: 'r4-doc', type: 'post', text: 'market bread', authorId: 'a-r4', createdAt: '2026-11-01T00:00:00Z' }, refresh: true });
  // The in-process workers beat as deployed ones do, so /readyz answers 200 and any 503 is a finding.
  stopBeats = (['triage', 'actions'] as const).map((kind) => startHeartbeat(p.ctx.redis, p.deps.cases.keys, kind, `r4-${kind}`));
  proxy = await startSearchProxy(p.ctx.config);
  ingest = await startIngest(p.ctx.config);
}, 300_000);
afterAll(async () => {
  for (const stop of stopBeats) await stop();
  await ingest?.stop();
  await proxy?.stop();
  await p?.stop();
  await svc?.stop();
  Object.assign(process.env, restoreEnv);
}, 120_000);

/**
 * A body of JSON text: mostly objects of the endpoint's own keys and hostile
 * ones holding small values of every type, some bare values, a few nested
 * 10,000 deep or 300 KB long (rarer: they cost the most to send and parse).
 */
const jsonBody = (keys: readonly string[]) =>
  fc.oneof(
    { weight: 10, arbitrary: hostileObject(keys, smallValue) },
    { weight: 4, arbitrary: smallValue },
    { weight: 1, arbitrary: hostileObject(keys, deepValue, 2) },
    { weight: 1, arbitrary: hugeString },
  );

/** Headers and bytes for a body: JSON as sent by a client most of the time, any Content-Type / Content-Encoding otherwise. */
function bodyRequest(path: fc.Arbitrary<string>, token: string | undefined, body: fc.Arbitrary<string>, contentType = 'application/json'): fc.Arbitrary<FuzzRequest> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return fc.tuple(path, body, fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostileEncoding })).map(([p, b, e]) => {
    if (!e) return { path: p, headers: { ...auth, 'content-type': contentType }, body: b };
    const enc = encodedRequest(b, e);
    return { path: p, headers: { ...auth, ...enc.headers }, body: enc.body };
  });
}

/** A concrete path for a route: parameters filled with ids that exist nowhere. */
const concrete = (route: string) =>
  route.replace(':caseId', caseIdFor('r4-none')).replace(':index', '0').replace(/:[A-Za-z]+/g, 'r4-none');

/** The moderation API: every endpoint of ACCESS, as the first role it admits. GETs get fuzzed query strings and, half the time, a body. */
function moderationTargets(): { name: string; method: string; arb: fc.Arbitrary<FuzzRequest> }[] {
  return (Object.keys(ACCESS) as Endpoint[]).map((endpoint) => {
    const [method, route] = endpoint.split(' ') as [string, string];
    const roles = ACCESS[endpoint];
    const token = roles === 'public' ? undefined : p.tokens[roles[0]!];
    const path = concrete(route);
    const query = hostileQuery(['from', 'size', 'queue', 'status', 'category', 'sort', 'authorId', 'ruleId', 'format', 'version', 'cursor', 'limit', 'since', 'until', 'state', 'agencyId']);
    const withQuery = query.map((q) => (q ? `${path}?${q}` : path));
    const arb =
      method === 'GET'
        ? fc.oneof(withQuery.map((p2): FuzzRequest => ({ path: p2, headers: token ? { authorization: `Bearer ${token}` } : {} })), bodyRequest(withQuery, token, jsonBody(MODERATION_BODY_KEYS)))
        : bodyRequest(fc.constant(path), token, jsonBody(MODERATION_BODY_KEYS));
    return { name: endpoint, method, arb };
  });
}

/** The search service: search, count and msearch, POST and GET, with and without an index in the path. */
function searchTargets(): { name: string; method: string; arb: fc.Arbitrary<FuzzRequest> }[] {
  const token = p.tokens.search;
  const query = hostileQuery(['search_type', 'allow_partial_search_results', 'request_cache', 'track_total_hits', 'timeout', 'filter_path', 'typed_keys', 'size', 'q']);
  const at = (path: string) => fc.oneof({ weight: 3, arbitrary: fc.constant(path) }, { weight: 1, arbitrary: query.map((q) => `${path}?${q}`) });
  const ndjson = fc
    .array(fc.tuple(fc.oneof(fc.constant(`{"index":"${index}"}`), fc.constant('{}'), hostileObject(['index', 'search_type', 'request_cache', 'allow_partial_search_results'], smallValue)), jsonBody(SEARCH_BODY_PARTS)), { minLength: 1, maxLength: 3 })
    .map((lines) => lines.map(([h, b]) => `${h.replace(/\n/g, ' ')}\n${b.replace(/\n/g, ' ')}\n`).join(''));
  const targets: { name: string; method: string; arb: fc.Arbitrary<FuzzRequest> }[] = [];
  for (const method of ['POST', 'GET']) {
    for (const endpoint of ['_search', '_count']) targets.push({ name: `search ${method} /:index/${endpoint}`, method, arb: bodyRequest(at(`/${index}/${endpoint}`), token, jsonBody(SEARCH_BODY_PARTS)) });
    targets.push({ name: `search ${method} /_msearch`, method, arb: bodyRequest(at('/_msearch'), token, ndjson, 'application/x-ndjson') });
    targets.push({ name: `search ${method} /:index/_msearch`, method, arb: bodyRequest(at(`/${index}/_msearch`), token, ndjson, 'application/x-ndjson') });
  }
  return targets;
}

/** The ingest service: single-document writes and bulk, into the content index. */
function ingestTargets(): { name: string; method: string; arb: fc.Arbitrary<FuzzRequest> }[] {
  const token = p.tokens.ingest;
  const DOC_KEYS = ['id', 'type', 'text', 'authorId', 'createdAt', 'lang', 'media', 'moderation', 'title', 'url'];
  const id = fc.oneof(fc.constant('r4-ingest'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent));
  const bulk = fc
    .array(fc.tuple(fc.oneof(fc.constant(`{"index":{"_index":"${index}","_id":"r4-bulk"}}`), fc.constant(`{"create":{"_id":"r4-bulk"}}`), fc.constant('{"delete":{"_id":"r4-bulk"}}'), hostileObject(['index', 'create', 'update', 'delete', '_index', '_id'], smallValue)), jsonBody(DOC_KEYS)), { minLength: 1, maxLength: 4 })
    .map((lines) => lines.map(([a, d]) => `${a.replace(/\n/g, ' ')}\n${d.replace(/\n/g, ' ')}\n`).join(''));
  const doc = jsonBody(DOC_KEYS);
  return [
    { name: 'ingest PUT /:index/_doc/:id', method: 'PUT', arb: bodyRequest(id.map((i) => `/${index}/_doc/${i}`), token, doc) },
    { name: 'ingest POST /:index/_doc', method: 'POST', arb: bodyRequest(fc.constant(`/${index}/_doc`), token, doc) },
    { name: 'ingest PUT /:index/_create/:id', method: 'PUT', arb: bodyRequest(id.map((i) => `/${index}/_create/${i}`), token, doc) },
    { name: 'ingest POST /:index/_update/:id', method: 'POST', arb: bodyRequest(id.map((i) => `/${index}/_update/${i}`), token, doc) },
    { name: 'ingest DELETE /:index/_doc/:id', method: 'DELETE', arb: bodyRequest(id.map((i) => `/${index}/_doc/${i}`), token, doc) },
    { name: 'ingest POST /_bulk', method: 'POST', arb: bodyRequest(fc.constant('/_bulk'), token, bulk, 'application/x-ndjson') },
    { name: 'ingest POST /:index/_bulk', method: 'POST', arb: bodyRequest(fc.constant(`/${index}/_bulk`), token, bulk, 'application/x-ndjson') },
  ];
}

test(`${RUNS} fuzzed requests per endpoint of the moderation API, the search service and ingest: none answered ≥ 500`, async () => {
  const started = performance.now();
  const perEndpoint: Record<string, Record<string, number>> = {};
  const histogram: Record<string, number> = {};
  const transient: Record<string, Record<string, number>> = {};
  const failures: Record<string, CampaignResult['failures']> = {};
  let sent = 0;
  const services: [string, string, ReturnType<typeof moderationTargets>][] = [
    ['moderation', p.url, moderationTargets()],
    ['search', proxy.url, searchTargets()],
    ['ingest', ingest.url, ingestTargets()],
  ];
  let seed = FUZZ.seed;
  for (const [, base, targets] of services) {
    for (const t of targets) {
      // Each endpoint its own seed: different cases per endpoint, the same ones every run.
      seed += 1_000;
      const r = await fuzzCampaign(base, t.method, t.arb, { runs: RUNS, seed, concurrency: CONCURRENCY });
      perEndpoint[t.name] = { ...r.statuses, ms: r.durationMs };
      sent += r.sent;
      for (const [s, n] of Object.entries(r.statuses)) histogram[s] = (histogram[s] ?? 0) + n;
      if (r.failures.length > 0) failures[t.name] = r.failures;
      if (Object.keys(r.transient).length > 0) transient[t.name] = r.transient;
    }
  }
  const durationMs = Math.round(performance.now() - started);
  const atLeast500 = Object.entries(histogram).filter(([s]) => !/^[1-4]\d\d$/.test(s)).reduce((n, [, c]) => n + c, 0);
  report('R4 fuzz', {
    runsPerEndpoint: RUNS,
    endpoints: Object.keys(perEndpoint).length,
    requests: sent,
    durationMs,
    perSecond: Math.round(sent / (durationMs / 1000)),
    statusHistogram: histogram,
    answeredAtLeast500OrNot: atLeast500,
    transientAtLeast500: transient,
    perEndpoint,
  });
  expect(failures).toEqual({});
  expect(atLeast500).toBe(0);
  for (const [name, { ms: _ms, ...statuses }] of Object.entries(perEndpoint)) expect({ name, sent: Object.values(statuses).reduce((a, b) => a + b, 0) }).toEqual({ name, sent: RUNS });
});
