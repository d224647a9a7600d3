// npm run bench -- search            (needs-servers: real Redis and Elasticsearch)
// 1. The same search bodies at the same concurrency through the search
//    service and straight to Elasticsearch, in one run: throughput and p50
//    ratios.
// 2. Time-to-invisible: from a decision's 2xx to the post being absent from
//    the proxy's results, over 200 takedowns, beside the same measure
//    straight against Elasticsearch (bound by its 1 s refresh).
// The API, the actions and backfill workers and the search service run as
// their own processes, as deployed; the loads start once the first
// publish's backfill has ended (the steady state). A bare Node relay
// (bare-proxy.ts) in front of the same Elasticsearch is measured the same
// way, as the floor of any Node proxy on the machine. The search service's CPU per search is its own
// process.cpuUsage(), asked over IPC (cpu-probe.ts). `--cpu-prof=DIR`
// writes the search service's V8 CPU profile of each phase to DIR, started
// and stopped through the probe (no start-up in them): search-load.cpuprofile
// (the measured load through the proxy; the profiler's own cost is in that
// run's CPU figure) and takedowns.cpuprofile (the time-to-invisible polls);
// summarise with bench/dist/cpuprofile-top.js;
// `--search-node-flag=F` passes node flag F to the search service (e.g.
// --perf-basic-prof, for `perf record -p <pid>`; the pid is printed).
// Ends with one JSON line.
import { mkdirSync } from 'node:fs';
import { Agent } from 'node:http';
import path from 'node:path';
import { elasticsearchNodes, rulesetKeys, TokenStore, caseIdFor, generateDemoCorpus, laneScore, moderationKeys, seedDemoCorpus, type ReportJob } from '@takedown/shared';
import { CaseStore } from '@takedown/shared';
import { compileRuleset, rewriteSearch, shippedRules } from '@takedown/search-rules';
import { SEARCH_BODIES } from './search-bodies';
import { askProbe, benchEnv, closedLoop, cpuOf, percentile, round, runBench, serviceProcesses, stopChildren, timedRequest } from './bench-env';

const CONCURRENCY = 16;
const REQUESTS = 3000;
const TAKEDOWNS = 200;
const DIRECT_TAKEDOWNS = 40;
const TARGETS = { cpuMsPerSearch: 0.25, throughputRatio: 0.85, p50Ratio: 1.15, timeToInvisibleP99Ms: 25 };
const args = process.argv.slice(2);
const profDir = args.find((a) => a.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);
const searchFlags = args.filter((a) => a.startsWith('--search-node-flag=')).map((a) => a.slice('--search-node-flag='.length));

/** Waits until the backfill has run for every published content rule (the pending set is empty), up to 5 minutes. */
async function noRulePending(env: ReturnType<typeof benchEnv>): Promise<void> {
  const keys = rulesetKeys(env.config.queuePrefix);
  const t0 = Date.now();
  // The API publishes on first boot; wait for a version before reading the pending set.
  while (!(await env.redis.exists(keys.counter)) || (await env.redis.hlen(keys.backfillPending)) > 0) {
    if (Date.now() - t0 > 300_000) throw new Error('the backfill did not end within 5 minutes');
    await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`backfill done in ${((Date.now() - t0) / 1000).toFixed(1)} s: no content rule pending`);
}

async function main(): Promise<void> {
  const env = benchEnv('search');
  const { config } = env;
  const procs = serviceProcesses(config, 18000 + Math.floor(Math.random() * 2000));
  const { apiPort, searchPort, children, start } = procs;
  await seedDemoCorpus(env.es, config.contentIndex, { count: 3000, replicas: 0 });
  start('services/moderation-api/dist/main.js'); // publishes the shipped lists on first boot
  start('workers/actions/dist/main.js');
  // The backfill worker scans the seeded posts with the published rules. Until it ends the proxy
  // filters with every pending content rule at query time (a far heavier query for Elasticsearch),
  // so the load is measured once no rule is pending: the steady state, not the first minute after a publish.
  start('workers/backfill/dist/main.js');
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const http = (port: number, method: string, p: string, token: string | undefined, body?: unknown) => timedRequest(agent, port, method, p, token, body);
  const waitUp = (port: number) => procs.waitUp(port, agent);
  await waitUp(apiPort);
  await noRulePending(env);
  const searchProc = start('services/search/dist/main.js', { cpuReport: true, execArgv: searchFlags });
  if (profDir) mkdirSync(path.resolve(profDir), { recursive: true });
  const profile = async (phase: string) => {
    if (profDir) await askProbe(searchProc, phase === 'start' ? { profile: 'start' } : { profile: 'stop', file: path.resolve(profDir, `${phase}.cpuprofile`) });
  };
  await waitUp(searchPort);
  console.log(`search service pid ${searchProc.pid}`);

  const tokens = new TokenStore(env.redis, moderationKeys(config.queuePrefix));
  const searchToken = (await tokens.create({ role: 'search', name: 'bench-search', createdBy: 'bench' })).token;
  const modToken = (await tokens.create({ role: 'moderator', name: 'bench-mod', createdBy: 'bench' })).token;
  const esUrl = new URL(elasticsearchNodes(config.elasticsearch.url)[0] ?? config.elasticsearch.url);
  const esPort = Number(esUrl.port || 9200);
  const index = config.contentIndex;
  const barePort = searchPort + 2;
  const bareProc = start('bench/dist/bare-proxy.js', { cpuReport: true, env: { BARE_PROXY_PORT: String(barePort), BARE_PROXY_UPSTREAM: esUrl.origin } });
  await new Promise<void>((resolve) => bareProc.on('message', (m) => (m as { up?: boolean }).up && resolve()));

  // --- 1. throughput and latency, same bodies, same concurrency ---
  const now0 = new Date();
  const bodies: Record<string, unknown>[] = [...SEARCH_BODIES];
  const load = (port: number, token: string | undefined, pathFor: () => string): Promise<{ perSec: number; p50: number; p99: number }> =>
    closedLoop(CONCURRENCY, REQUESTS, async (i) => {
      const r = await http(port, 'POST', pathFor(), token, bodies[i % bodies.length]);
      if (r.status !== 200) throw new Error(`search answered ${r.status}: ${r.body.slice(0, 200)}`);
      return r.ms;
    });
  const searchPath = () => `/${index}/_search`;
  await load(esPort, undefined, searchPath); // warm-up both
  await load(searchPort, searchToken, searchPath);
  await load(barePort, undefined, searchPath);
  const direct = await load(esPort, undefined, searchPath);
  // The floor: a bare relay (bare-proxy.ts) in front of the same Elasticsearch, measured the same way.
  const bareCpu0 = await cpuOf(bareProc);
  const bare = await load(barePort, undefined, searchPath);
  const bareCpuMs = ((await cpuOf(bareProc)) - bareCpu0) / REQUESTS;
  // The search service's own CPU per search, so capacity can be stated per search-service core whatever else shares the machine.
  await profile('start');
  const cpu0 = await cpuOf(searchProc);
  const proxied = await load(searchPort, searchToken, searchPath);
  const searchCpuMs = ((await cpuOf(searchProc)) - cpu0) / REQUESTS;
  await profile('search-load');
  // The filter's own cost in Elasticsearch: the rewritten bodies (what the proxy sends), straight to Elasticsearch.
  const compiled = compileRuleset({ version: 1, rules: shippedRules(now0.toISOString()), publishedAt: now0.toISOString(), publishedBy: 'bench' });
  const originals = [...bodies];
  bodies.splice(0, bodies.length, ...originals.map((b) => { const r = rewriteSearch(compiled, b, {}); if (r.blocked) throw new Error('bench body blocked'); return r.body; }));
  const rewrittenDirect = await load(esPort, undefined, searchPath);
  bodies.splice(0, bodies.length, ...originals);
  console.log(`direct Elasticsearch: ${direct.perSec.toFixed(0)} req/s, p50 ${direct.p50.toFixed(2)} ms, p99 ${direct.p99.toFixed(2)} ms (concurrency ${CONCURRENCY})`);
  console.log(`through the proxy:    ${proxied.perSec.toFixed(0)} req/s, p50 ${proxied.p50.toFixed(2)} ms, p99 ${proxied.p99.toFixed(2)} ms`);
  console.log(`rewritten bodies straight to Elasticsearch: ${rewrittenDirect.perSec.toFixed(0)} req/s, p50 ${rewrittenDirect.p50.toFixed(2)} ms (the filter's cost inside Elasticsearch)`);
  console.log(`bare relay (no auth, no rewrite): ${bare.perSec.toFixed(0)} req/s, p50 ${bare.p50.toFixed(2)} ms, CPU ${bareCpuMs.toFixed(3)} ms per search; throughput ratio ${(bare.perSec / direct.perSec).toFixed(2)}, p50 ratio ${(bare.p50 / direct.p50).toFixed(2)} (the floor of any Node proxy here)`);
  console.log(`search-service CPU ${searchCpuMs.toFixed(3)} ms per search: ${(1000 / searchCpuMs).toFixed(0)} searches/s per search-service core (Elasticsearch's own CPU not included; target ≤ ${TARGETS.cpuMsPerSearch})`);
  console.log(`throughput ratio ${(proxied.perSec / direct.perSec).toFixed(2)} (target ≥ ${TARGETS.throughputRatio}), p50 ratio ${(proxied.p50 / direct.p50).toFixed(2)} (target ≤ ${TARGETS.p50Ratio})`);

  // --- 2. time to invisible ---
  const cases = new CaseStore(env.redis, moderationKeys(config.queuePrefix), 600_000);
  const posts = generateDemoCorpus({ count: 3000 }).filter((p) => p.kind === 'benign').slice(0, TAKEDOWNS + DIRECT_TAKEDOWNS);
  const now = new Date();
  for (const post of posts) {
    const report: ReportJob = { reportId: `b-${post.id}`, receivedAt: now.toISOString(), content: { id: post.id, type: 'post', text: post.text, authorId: post.authorId }, reporter: { type: 'user' }, reason: 'drugs' };
    await cases.fold({
      caseId: caseIdFor(post.id), report, expectedRev: 0, mode: 'enqueue', score: laneScore(100, now), now,
      fields: { id: caseIdFor(post.id), contentId: post.id, lane: 'default', priority: 100, category: 'drugs', content: report.content, reportCount: 1, reporterTypes: ['user'], ruleHits: [], firstReportedAt: now.toISOString(), lastReportedAt: now.toISOString() },
      audit: { type: 'report.received', actor: 'bench', at: now.toISOString() },
    });
  }
  // Where time to invisible goes: when the takedown reaches the channel the search instances read (decision → published).
  const keys = moderationKeys(config.queuePrefix);
  const sub = env.redis.duplicate();
  const publishedAt = new Map<string, number>();
  sub.on('smessage', (_channel: string, raw: string) => publishedAt.set((JSON.parse(raw) as { contentId: string }).contentId, performance.now()));
  await sub.ssubscribe(keys.takedownChannel);
  const toPublish: number[] = [];
  async function takedownThenPoll(visible: () => Promise<boolean>): Promise<number> {
    const claim = await http(apiPort, 'POST', '/v1/review/claim', modToken, { queue: 'default' });
    if (claim.status !== 200) throw new Error(`claim ${claim.status}`);
    const { case: c, lease } = JSON.parse(claim.body) as { case: { id: string; contentId: string }; lease: { token: string } };
    current = c.contentId;
    const d = await http(apiPort, 'POST', `/v1/review/${c.id}/decision`, modToken, { leaseToken: lease.token, action: 'remove', category: 'drugs', legalGround: 'bench' });
    if (d.status !== 201) throw new Error(`decision ${d.status}`);
    const t0 = performance.now();
    while (await visible()) await new Promise((r) => setTimeout(r, 1));
    const t1 = performance.now();
    const pub = publishedAt.get(c.contentId);
    if (pub !== undefined) toPublish.push(pub - t0);
    return t1 - t0;
  }
  let current = '';
  const idQuery = () => ({ query: { ids: { values: [current] } } });
  const viaProxy = async () => {
    const r = await http(searchPort, 'POST', `/${index}/_search`, searchToken, idQuery());
    return (JSON.parse(r.body) as { hits: { hits: unknown[] } }).hits.hits.length > 0;
  };
  // What a platform sees searching Elasticsearch itself with the state filter (no proxy): refresh-bound.
  const viaEs = async () => {
    const r = await http(esPort, 'POST', `/${index}/_search`, undefined, { query: { bool: { filter: [{ ids: { values: [current] } }], must_not: [{ term: { 'moderation.state': 'removed' } }] } } });
    return (JSON.parse(r.body) as { hits: { hits: unknown[] } }).hits.hits.length > 0;
  };
  const proxyMs: number[] = [];
  await profile('start');
  for (let i = 0; i < TAKEDOWNS; i++) proxyMs.push(await takedownThenPoll(viaProxy));
  await profile('takedowns');
  const publishMs = toPublish.splice(0).sort((a, b) => a - b);
  const esMs: number[] = [];
  for (let i = 0; i < DIRECT_TAKEDOWNS; i++) esMs.push(await takedownThenPoll(viaEs));
  proxyMs.sort((a, b) => a - b);
  esMs.sort((a, b) => a - b);
  console.log(`time to invisible through the proxy (${TAKEDOWNS} takedowns): p50 ${percentile(proxyMs, 50).toFixed(1)} ms, p99 ${percentile(proxyMs, 99).toFixed(1)} ms, max ${proxyMs[proxyMs.length - 1]!.toFixed(1)} ms (target p99 ≤ ${TARGETS.timeToInvisibleP99Ms})`);
  console.log(`of which decision 2xx → takedown on the channel (API, queue, actions worker): p50 ${percentile(publishMs, 50).toFixed(1)} ms, p99 ${percentile(publishMs, 99).toFixed(1)} ms (${publishMs.length} seen)`);
  console.log(`same, straight against Elasticsearch (${DIRECT_TAKEDOWNS} takedowns, refresh-bound): p50 ${percentile(esMs, 50).toFixed(1)} ms, p99 ${percentile(esMs, 99).toFixed(1)} ms`);

  console.log(
    JSON.stringify({
      bench: 'search',
      concurrency: CONCURRENCY,
      requests: REQUESTS,
      direct: { perSec: round(direct.perSec, 0), p50Ms: round(direct.p50), p99Ms: round(direct.p99) },
      proxy: { perSec: round(proxied.perSec, 0), p50Ms: round(proxied.p50), p99Ms: round(proxied.p99), cpuMsPerSearch: round(searchCpuMs, 3), perCoreSec: round(1000 / searchCpuMs, 0) },
      bareRelay: { perSec: round(bare.perSec, 0), p50Ms: round(bare.p50), cpuMsPerSearch: round(bareCpuMs, 3), throughputRatio: round(bare.perSec / direct.perSec), p50Ratio: round(bare.p50 / direct.p50) },
      rewrittenDirect: { perSec: round(rewrittenDirect.perSec, 0), p50Ms: round(rewrittenDirect.p50) },
      ratios: {
        throughput: round(proxied.perSec / direct.perSec),
        p50: round(proxied.p50 / direct.p50),
        proxyOnlyThroughput: round(proxied.perSec / rewrittenDirect.perSec),
        proxyOnlyP50: round(proxied.p50 / rewrittenDirect.p50),
      },
      timeToInvisibleMs: {
        proxy: { n: proxyMs.length, p50: round(percentile(proxyMs, 50)), p99: round(percentile(proxyMs, 99)), max: round(proxyMs[proxyMs.length - 1]!) },
        toPublished: { n: publishMs.length, p50: round(percentile(publishMs, 50)), p99: round(percentile(publishMs, 99)) },
        elasticsearch: { n: esMs.length, p50: round(percentile(esMs, 50)), p99: round(percentile(esMs, 99)) },
      },
      targets: TARGETS,
    }),
  );

  sub.disconnect();
  agent.destroy();
  await stopChildren(children);
  await env.cleanup();
}

runBench(main);
