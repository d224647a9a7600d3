// npm run bench -- soak [seconds]    (R8 of issue 15; not in CI)
// 200 searches in flight through the search service and 500 reports/s into
// the moderation API for 5 minutes (TAKEDOWN_SOAK_SECONDS or the argument to
// try it shorter), against a Redis and an Elasticsearch of its own started
// through services.mjs (ports TAKEDOWN_SOAK_REDIS_PORT / TAKEDOWN_SOAK_ES_PORT,
// else TAKEDOWN_FAULTS_*, else 6392 / 9292), so it neither loads nor is
// loaded by the shared dev servers. The API, the triage worker and the
// search service run as their own processes, as deployed.
// Baseline, same run: the same searches at the same concurrency straight to
// Elasticsearch. Figures: throughput, p50/p99, errors, the RSS of the API and
// the search service after warm-up and at the end. Ends with one JSON line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Agent } from 'node:http';
import { elasticsearchNodes, TokenStore, moderationKeys, seedDemoCorpus } from '@takedown/shared';
import { SEARCH_BODIES } from './search-bodies';
import { benchEnv, percentile, round, runBench, serviceProcesses, stopChildren, timedRequest } from './bench-env';

const SEARCH_CONCURRENCY = 200;
const REPORTS_PER_SEC = 500;
const BASELINE_SECONDS = 15;
const RSS_GROWTH_TARGET_PCT = 10;

const ROOT = path.join(__dirname, '..', '..');
const seconds = Number(process.argv[2] ?? process.env.TAKEDOWN_SOAK_SECONDS ?? 300);
/** RSS is read as the baseline once the load has run this long: heaps, pools and caches have grown to their working size. */
const warmupSeconds = Math.min(30, Math.max(5, Math.round(seconds / 10)));

/** Starts (or stops) the soak's own servers with services.mjs, as the fault suite does. */
function services(cmd: 'up' | 'down'): { redisUrl: string; elasticsearchUrl: string } {
  const dataDir = path.join(ROOT, '.data', 'soak');
  const env = {
    ...process.env,
    REDIS_URL: '',
    ELASTICSEARCH_URL: '',
    TAKEDOWN_DATA_DIR: dataDir,
    TAKEDOWN_REDIS_PORT: process.env.TAKEDOWN_SOAK_REDIS_PORT ?? process.env.TAKEDOWN_FAULTS_REDIS_PORT ?? '6392',
    TAKEDOWN_ES_PORT: process.env.TAKEDOWN_SOAK_ES_PORT ?? process.env.TAKEDOWN_FAULTS_ES_PORT ?? '9292',
  };
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'services.mjs'), cmd], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`services.mjs ${cmd} exited ${r.status}`);
  if (cmd === 'down') return { redisUrl: '', elasticsearchUrl: '' };
  const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'services.json'), 'utf8')) as { redis: { url: string }; elasticsearch: { url: string } };
  return { redisUrl: state.redis.url, elasticsearchUrl: state.elasticsearch.url };
}

/** Resident set size of a process, in MB, from /proc. */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

interface Tally {
  ms: number[];
  errors: number;
  statuses: Record<string, number>;
}
const tally = (): Tally => ({ ms: [], errors: 0, statuses: {} });
function count(t: Tally, status: string, ok: boolean, ms: number): void {
  t.statuses[status] = (t.statuses[status] ?? 0) + 1;
  if (ok) t.ms.push(ms);
  else t.errors++;
}
function summary(t: Tally, elapsedS: number) {
  const ms = [...t.ms].sort((a, b) => a - b);
  return { n: ms.length + t.errors, perSec: round((ms.length + t.errors) / elapsedS, 0), p50Ms: round(percentile(ms, 50)), p99Ms: round(percentile(ms, 99)), errors: t.errors, statuses: t.statuses };
}

async function main(): Promise<void> {
  const servers = services('up');
  process.env.REDIS_URL = servers.redisUrl;
  process.env.ELASTICSEARCH_URL = servers.elasticsearchUrl;
  const env = benchEnv('soak');
  const { config } = env;
  const procs = serviceProcesses(config, 20000 + Math.floor(Math.random() * 2000));
  const { apiPort, searchPort, children, start } = procs;
  await seedDemoCorpus(env.es, config.contentIndex, { count: 3000, replicas: 0 });
  const agent = new Agent({ keepAlive: true, maxSockets: SEARCH_CONCURRENCY });
  const reportAgent = new Agent({ keepAlive: true, maxSockets: 64 });
  const waitUp = (port: number) => procs.waitUp(port, agent);
  const api = start('services/moderation-api/dist/main.js'); // publishes the shipped lists on first boot
  await waitUp(apiPort);
  start('workers/triage/dist/main.js');
  const search = start('services/search/dist/main.js');
  await waitUp(searchPort);

  const tokens = new TokenStore(env.redis, moderationKeys(config.queuePrefix));
  const searchToken = (await tokens.create({ role: 'search', name: 'soak-search', createdBy: 'bench' })).token;
  const reporterToken = (await tokens.create({ role: 'reporter', name: 'soak-reporter', createdBy: 'bench' })).token;
  const esPort = Number(new URL(elasticsearchNodes(config.elasticsearch.url)[0] ?? config.elasticsearch.url).port || 9200);
  const searchPath = `/${config.contentIndex}/_search`;

  /** Closed loop: `SEARCH_CONCURRENCY` searches always in flight until `until`. */
  async function searches(port: number, token: string | undefined, until: number, t: Tally): Promise<void> {
    let i = 0;
    await Promise.all(
      Array.from({ length: SEARCH_CONCURRENCY }, async () => {
        while (performance.now() < until) {
          const body = SEARCH_BODIES[i++ % SEARCH_BODIES.length];
          const r = await timedRequest(agent, port, 'POST', searchPath, token, body).catch((err: Error) => ({ status: `error:${(err as NodeJS.ErrnoException).code ?? err.name}`, ms: 0, body: '' }));
          count(t, String(r.status), r.status === 200, r.ms);
        }
      }),
    );
  }

  // --- baseline: the same searches, same concurrency, straight to Elasticsearch ---
  await searches(esPort, undefined, performance.now() + 3000, tally()); // warm-up
  const direct = tally();
  const directStart = performance.now();
  await searches(esPort, undefined, directStart + BASELINE_SECONDS * 1000, direct);
  const directElapsed = (performance.now() - directStart) / 1000;

  // --- the soak ---
  const searched = tally();
  const reported = tally();
  const soakStart = performance.now();
  const until = soakStart + seconds * 1000;
  // Open loop: reports go out on the clock whatever the answers take, as a platform's reporters would send them.
  let reportSeq = 0;
  const inFlight = new Set<Promise<void>>();
  const sendReport = () => {
    const id = `soak-${reportSeq++}`;
    const body = { content: { id, type: 'post', text: `selling tickets for the market on saturday ${id}`, authorId: `author-${reportSeq % 500}`, lang: 'en' }, reporter: { type: 'user', id: `reporter-${reportSeq % 1000}` }, reason: 'fraud' };
    const p: Promise<void> = timedRequest(reportAgent, apiPort, 'POST', '/v1/reports', reporterToken, body)
      .then((r) => count(reported, String(r.status), r.status === 202, r.ms))
      .catch((err: Error) => count(reported, `error:${(err as NodeJS.ErrnoException).code ?? err.name}`, false, 0))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  // At most a second's worth in flight: past that the API is not keeping up, and queueing more in this
  // process would only measure the queue (and drain for minutes after the end). Those not sent are counted.
  let notSent = 0;
  const reportTimer = setInterval(() => {
    // Catch up to the clock: a late tick sends what it owes.
    const owed = Math.floor(((performance.now() - soakStart) / 1000) * REPORTS_PER_SEC) - reportSeq - notSent;
    for (let i = 0; i < owed; i++) {
      if (inFlight.size >= REPORTS_PER_SEC) notSent++;
      else sendReport();
    }
  }, 10);
  const rss: { api: number[]; search: number[]; atS: number[] } = { api: [], search: [], atS: [] };
  const sample = () => {
    rss.api.push(rssMb(api.pid!));
    rss.search.push(rssMb(search.pid!));
    rss.atS.push(Math.round((performance.now() - soakStart) / 1000));
  };
  let rssStart: { api: number; search: number } | undefined;
  const warm = setTimeout(() => {
    sample();
    rssStart = { api: rss.api[0]!, search: rss.search[0]! };
  }, warmupSeconds * 1000);
  const sampler = setInterval(() => rssStart && sample(), 15_000);
  await searches(searchPort, searchToken, until, searched);
  clearInterval(reportTimer);
  await Promise.all([...inFlight]);
  clearTimeout(warm);
  clearInterval(sampler);
  sample();
  const elapsed = (performance.now() - soakStart) / 1000;
  if (!rssStart) throw new Error('the soak ended before its warm-up');
  const growth = (which: 'api' | 'search') => {
    const end = rss[which][rss[which].length - 1]!;
    return { startMb: round(rssStart![which], 1), endMb: round(end, 1), maxMb: round(Math.max(...rss[which]), 1), growthPct: round(((end - rssStart![which]) / rssStart![which]) * 100, 1) };
  };

  const d = summary(direct, directElapsed);
  const s = summary(searched, elapsed);
  const r = summary(reported, elapsed);
  const figures = {
    bench: 'soak',
    seconds: round(elapsed, 1),
    warmupSeconds,
    searchConcurrency: SEARCH_CONCURRENCY,
    reportsPerSecTarget: REPORTS_PER_SEC,
    searches: s,
    reports: { ...r, notSentApiBehind: notSent },
    direct: { seconds: BASELINE_SECONDS, ...d },
    ratios: { throughput: round(s.perSec / d.perSec), p50: round(s.p50Ms / d.p50Ms), p99: round(s.p99Ms / d.p99Ms) },
    errors: s.errors + r.errors,
    rss: { api: growth('api'), search: growth('search') },
    targets: { errors: 0, rssGrowthPct: RSS_GROWTH_TARGET_PCT },
  };
  console.log(`direct Elasticsearch: ${d.perSec} searches/s, p50 ${d.p50Ms} ms, p99 ${d.p99Ms} ms (concurrency ${SEARCH_CONCURRENCY}, ${BASELINE_SECONDS} s)`);
  console.log(`soak ${figures.seconds} s: ${s.perSec} searches/s (p50 ${s.p50Ms}, p99 ${s.p99Ms} ms), ${r.perSec} reports/s (p50 ${r.p50Ms}, p99 ${r.p99Ms} ms), ${figures.errors} errors`);
  console.log(`RSS api ${figures.rss.api.startMb} → ${figures.rss.api.endMb} MB (${figures.rss.api.growthPct} %), search ${figures.rss.search.startMb} → ${figures.rss.search.endMb} MB (${figures.rss.search.growthPct} %); target < ${RSS_GROWTH_TARGET_PCT} %`);
  console.log(JSON.stringify(figures));

  agent.destroy();
  reportAgent.destroy();
  await stopChildren(children);
  await env.cleanup();
  services('down');
  const missed = figures.errors > 0 || notSent > 0 || figures.rss.api.growthPct >= RSS_GROWTH_TARGET_PCT || figures.rss.search.growthPct >= RSS_GROWTH_TARGET_PCT;
  if (missed) process.exitCode = 1;
}

runBench(main);
