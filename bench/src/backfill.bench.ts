// npm run bench -- backfill          (needs-servers: real Redis and Elasticsearch)
// 1. Documents tagged per second by the backfill (unthrottled, 2 slices)
//    beside a bare baseline tagging the same documents in the same run:
//    `_update_by_query` with the same query where the server has it, else
//    (the local Elasticsearch lacks the reindex module) a bare sliced
//    scroll + bulk update with no per-document logic.
// 2. Time from a publish (through the API, in its own process) to the first
//    search through the search service (its own process) that no longer
//    returns the matching documents.
// Ends with one JSON line.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Agent } from 'node:http';
import { buildBackfillDeps, runBackfill } from '@takedown/backfill-worker';
import { normalize, testing } from '@takedown/search-rules';
import { RulesetStore, TokenStore, ensureContentIndex, moderationKeys, rulesetKeys } from '@takedown/shared';
import { benchEnv, round, runBench, stopChildren, timedRequest, BENCH_RATE_LIMITS_OFF } from './bench-env';

const DOCS = 50_000;
const EVERY = 10;

async function main(): Promise<void> {
  const env = benchEnv('backfill');
  const { es, config } = env;
  const index = config.contentIndex;
  await ensureContentIndex(es, index, 0);
  for (let start = 0; start < DOCS; start += 5000) {
    const operations: object[] = [];
    for (let i = start; i < start + 5000; i++) {
      const text = i % EVERY === 0 ? `qvxmark pills available, post ${i}` : `an ordinary post ${i} about the weather`;
      // As ingest stores them: normalised text and the version they were scanned with (so the sweep leaves them alone).
      operations.push({ index: { _index: index, _id: `d${i}` } }, { id: `d${i}`, type: 'post', text, authorId: 'a', lang: 'en', createdAt: '2026-11-01T00:00:00Z', moderation: { normalizedText: normalize(text), scannedVersion: 1, updatedAt: '2026-11-01T00:00:00Z' } });
    }
    await es.bulk({ operations });
  }
  await es.indices.refresh({ index });
  const matches = DOCS / EVERY;
  const query = { match_phrase: { 'moderation.normalizedText': normalize('qvxmark pills') } };

  // --- baseline ---
  let baselineName = 'update_by_query';
  let baselinePerSec: number;
  const t0 = performance.now();
  try {
    const r = await es.transport.request<{ updated?: number }>({
      method: 'POST',
      path: `/${index}/_update_by_query`,
      querystring: { conflicts: 'proceed', slices: '2', refresh: 'false' },
      body: { query, script: { source: "ctx._source.moderation.ruleHits = ['baseline']", lang: 'painless' } },
    });
    baselinePerSec = (r.updated ?? 0) / ((performance.now() - t0) / 1000);
  } catch {
    baselineName = 'scroll+bulk (no _update_by_query on this server)';
    const b0 = performance.now();
    let updated = 0;
    await Promise.all(
      [0, 1].map(async (slice) => {
        let res = await es.search({ index, scroll: '2m', size: 500, query, sort: ['_doc'], _source: false, slice: { id: String(slice), max: 2 } });
        while (res.hits.hits.length > 0) {
          const operations = res.hits.hits.flatMap((h) => [{ update: { _index: index, _id: h._id as string } }, { doc: { moderation: { ruleHits: ['baseline'] } } }]);
          await es.bulk({ operations });
          updated += res.hits.hits.length;
          res = await es.scroll({ scroll_id: res._scroll_id as string, scroll: '2m' });
        }
        if (res._scroll_id) await es.clearScroll({ scroll_id: res._scroll_id });
      }),
    );
    baselinePerSec = updated / ((performance.now() - b0) / 1000);
  }
  // Reset the baseline's tags.
  await es.indices.refresh({ index });
  const resetOps = (await es.search({ index, query: { term: { 'moderation.ruleHits': 'baseline' } }, size: 10000, _source: false })).hits.hits.flatMap((h) => [{ update: { _index: index, _id: h._id as string } }, { doc: { moderation: { ruleHits: [] } } }]);
  for (let i = 0; i < resetOps.length; i += 2000) await es.bulk({ operations: resetOps.slice(i, i + 2000) });
  await es.indices.refresh({ index });

  // --- ours ---
  const rulesets = new RulesetStore(env.redis, rulesetKeys(config.queuePrefix));
  const stored = await rulesets.publish([testing.rule('qvx', 'qvxmark pills', { scope: ['content'], action: 'exclude' })], 'bench');
  const o0 = performance.now();
  const backfill = await buildBackfillDeps({ ...config, docsPerSec: 1_000_000, slices: 2, settleMs: 0 });
  const progress = await runBackfill(backfill, { rulesetVersion: stored.version, apply: ['qvx'], clear: [] });
  await backfill.close();
  const oursPerSec = progress.tagged / ((performance.now() - o0) / 1000);
  console.log(`backfill tagged ${progress.tagged}/${matches} in ${DOCS} documents: ${oursPerSec.toFixed(0)} docs/s; baseline ${baselineName}: ${baselinePerSec.toFixed(0)} docs/s; ratio ${(oursPerSec / baselinePerSec).toFixed(2)}`);

  // --- publish → first filtered search, through the API and the search service ---
  const root = path.join(__dirname, '..', '..');
  const base = 18000 + Math.floor(Math.random() * 2000);
  const childEnv = { ...process.env, ...BENCH_RATE_LIMITS_OFF, LOG_LEVEL: 'warn', TAKEDOWN_INDEX_PREFIX: config.indexPrefix, TAKEDOWN_CONTENT_INDEX: index, TAKEDOWN_QUEUE_PREFIX: config.queuePrefix, TAKEDOWN_API_PORT: String(base), TAKEDOWN_API_HOST: '127.0.0.1', TAKEDOWN_SEARCH_PORT: String(base + 1), TAKEDOWN_SEARCH_HOST: '127.0.0.1' };
  const children: ChildProcess[] = ['services/moderation-api/dist/main.js', 'services/search/dist/main.js'].map((rel) => spawn(process.execPath, [path.join(root, rel)], { env: childEnv, stdio: ['ignore', 'inherit', 'inherit'] }));
  const agent = new Agent({ keepAlive: true });
  const http = (port: number, method: string, p: string, token: string | undefined, body?: unknown) => timedRequest(agent, port, method, p, token, body);
  for (const port of [base, base + 1]) {
    for (let i = 0; i < 300 && (await http(port, 'GET', '/healthz', undefined).catch(() => ({ status: 0 }))).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
  }
  const tokens = new TokenStore(env.redis, moderationKeys(config.queuePrefix));
  const lead = (await tokens.create({ role: 'lead', name: 'bench-lead', createdBy: 'bench' })).token;
  const search = (await tokens.create({ role: 'search', name: 'bench-search', createdBy: 'bench' })).token;
  const visible = async () => {
    const r = await http(base + 1, 'POST', `/${index}/_search`, search, { query: { match: { text: 'zlorpmark' } }, size: 0, track_total_hits: true });
    return (JSON.parse(r.body) as { hits: { total: { value: number } } }).hits.total.value;
  };
  // Documents for the second rule.
  const ops: object[] = [];
  for (let i = 0; i < 2000; i++) {
    const text = `zlorpmark capsules ${i}`;
    ops.push({ index: { _index: index, _id: `z${i}` } }, { id: `z${i}`, type: 'post', text, authorId: 'a', lang: 'en', createdAt: '2026-11-01T00:00:00Z', moderation: { normalizedText: normalize(text) } });
  }
  await es.bulk({ operations: ops, refresh: true });
  const before = await visible();
  await http(base, 'PUT', '/v1/rules/draft/zlorp', lead, { kind: 'phrase', pattern: 'zlorpmark capsules', category: 'drugs', scope: ['content'], action: 'exclude' });
  const p0 = performance.now();
  const pub = await http(base, 'POST', '/v1/rules/publish', lead, {});
  if (pub.status !== 201) throw new Error(`publish answered ${pub.status}: ${pub.body}`);
  while ((await visible()) > 0) await new Promise((r) => setTimeout(r, 2));
  const publishToFilteredMs = performance.now() - p0;
  console.log(`publish → first filtered search: ${publishToFilteredMs.toFixed(0)} ms (${before} matching documents visible before; no backfill worker running, so this is the query-time filter)`);

  console.log(
    JSON.stringify({
      bench: 'backfill',
      documents: DOCS,
      matches,
      taggedPerSec: round(oursPerSec, 0),
      baseline: { name: baselineName, perSec: round(baselinePerSec, 0) },
      ratios: { oursVsBaseline: round(oursPerSec / baselinePerSec) },
      publishToFirstFilteredSearchMs: round(publishToFilteredMs, 0),
    }),
  );
  agent.destroy();
  await stopChildren(children);
  await env.cleanup();
}

runBench(main);
