// npm run bench -- triage            (needs-servers: real Redis and Elasticsearch)
// Reports per second through the triage worker (50k-term ruleset, ~1 KB
// posts read from the content index as triage does, one case per content
// with repeats folded) beside a bare no-op BullMQ worker draining the same
// number of identical jobs on the same Redis, at concurrency 1 and 50, in
// this run. Reports are token-filed, as the API files them, so each one also
// writes its Art. 16 notice record. Two triage sides, in the same run: the
// worker as shipped (concurrent jobs' folds and notice writes share round
// trips, scans cached) and the per-job path (each job its own fold call,
// create request and scan); which goes first alternates (a warm-up drains
// both first). Per side: process CPU, Redis and Elasticsearch CPU, and
// Elasticsearch requests per report. Ends with one JSON line.
// TAKEDOWN_BENCH_PROFILE=<dir>: a CPU profile of each triage drain alone
// (not the setup, not the no-op worker) written there as .cpuprofile.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { Worker } from 'bullmq';
import { CaseStore, CatalogQueue, ContentReader, closeRedisClient, createRedisClient, ensureContentIndex, ensureTakedownIndices, RulesetStore, generateDemoCorpus, jobCatalog, moderationKeys, recordNotice, queuePrefixFor, redisTarget, rulesetKeys, startLiveRuleset, workerQueueOptions, type ReportJob } from '@takedown/shared';
import { compileStoredRuleset, scanContent, shippedRules, testing, type CompiledRuleset } from '@takedown/search-rules';
import { createTriageWorker, type TriageDeps } from '@takedown/triage-worker';
import { benchEnv, round, runBench, serverCpuReader } from './bench-env';

const TERMS = 50_000;
const JOBS = { 1: 1500, 50: 4000 } as const;

async function main(): Promise<void> {
  const env = benchEnv('triage');
  const target = redisTarget(env.config.redis);
  const connection = createRedisClient(target, workerQueueOptions('bench:queues'));
  const prefix = env.config.queuePrefix;
  const at = new Date().toISOString();
  const shipped = shippedRules(at);
  const rules = [...shipped, ...Array.from({ length: TERMS - shipped.length }, (_, i) => testing.rule(`syn${i}`, testing.syntheticWord(i), { scope: ['content'], action: 'flag_for_review' }))];
  const store = new RulesetStore(env.redis, rulesetKeys(prefix));
  await store.publish(rules, 'bench');
  const started = await startLiveRuleset<CompiledRuleset>({ redis: env.redis, redisTarget: target, queuePrefix: prefix, name: 'bench', compile: (r) => compileStoredRuleset(r, { trusted: true }), logger: env.logger });
  const live = started.rules;
  const cases = new CaseStore(env.redis, moderationKeys(prefix), 600_000);
  const actions = new CatalogQueue('actions', connection, prefix);

  // ~1 KB posts from the demo corpus, in the content index (triage reads the
  // platform's copy); every fourth report repeats an earlier content id.
  const posts = generateDemoCorpus({ count: 3000, seed: 11 });
  await ensureContentIndex(env.es, env.config.contentIndex, 0);
  const content = new ContentReader(env.es, env.config.contentIndex);
  const indices = await ensureTakedownIndices(env.es, env.config.indexPrefix, 0);
  const profileDir = process.env['TAKEDOWN_BENCH_PROFILE'];
  const profiler = profileDir ? new Session() : undefined;
  profiler?.connect();
  const makeJobs = (n: number, tag: string): ReportJob[] =>
    Array.from({ length: n }, (_, i) => {
      const post = posts[i % posts.length]!;
      let text = post.text;
      while (text.length < 1000) text += ` ${posts[(i * 7 + text.length) % posts.length]!.text}`;
      const contentId = `${tag}-${i % 4 === 3 ? i - 1 : i}`;
      return {
        reportId: `tk_bench.${tag}-r${i}`,
        receivedAt: new Date().toISOString(),
        content: { id: contentId, type: 'post', text, authorId: post.authorId, lang: post.lang },
        reporter: { type: 'user', id: `u${i % 97}` },
        reason: post.kind === 'scam' ? 'fraud' : 'drugs',
        filedBy: { tokenId: 'tk_bench', name: 'bench reporter' },
      };
    });

  // Process CPU while the worker drains (the worker runs in this process, the jobs were added
  // before): CPU µs per job, so capacity can be stated per core rather than per noisy shared machine.
  // Redis's own CPU too (the server may be shared, so this is an upper bound): with every report on
  // one queue's hash tag, that one Redis core is the intake ceiling. Elasticsearch's likewise.
  const serverCpu = await serverCpuReader(env.redis, env.es);
  let esRequests = 0;
  env.es.diagnostic.on('request', () => esRequests++);
  async function drain(queueName: string, jobs: ReportJob[], makeWorker: () => Worker, profileAs?: string): Promise<{ perSec: number; cpuUsPerJob: number; redisUsPerJob: number; esRequestsPerJob: number; esUsPerJob: number }> {
    const queue = new CatalogQueue('reports', connection, prefix);
    // Same name, same options, but a separate queue per run so the runs never share jobs.
    const q = queueName === 'reports' ? queue.queue : new (await import('bullmq')).Queue(queueName, { connection, prefix: queuePrefixFor(prefix, queueName), defaultJobOptions: jobCatalog.reports.jobOptions });
    for (let i = 0; i < jobs.length; i += 500) {
      await q.addBulk(jobs.slice(i, i + 500).map((data) => ({ name: 'reports', data, opts: { jobId: data.reportId } })));
    }
    let done = 0;
    if (profiler && profileAs) {
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { redisUs: redis0, elasticsearchUs: esCpu0 } = await serverCpu();
    const es0 = esRequests;
    const worker = makeWorker();
    await new Promise<void>((resolve, reject) => {
      worker.on('completed', () => {
        if (++done === jobs.length) resolve();
      });
      worker.on('failed', (_job, err) => reject(err));
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const server1 = await serverCpu();
    const redisUs = server1.redisUs - redis0;
    const esCount = esRequests - es0;
    const esUs = server1.elasticsearchUs - esCpu0;
    if (profiler && profileAs && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      fs.mkdirSync(profileDir, { recursive: true });
      fs.writeFileSync(path.join(profileDir, `${profileAs}.cpuprofile`), JSON.stringify(profile));
    }
    await worker.close();
    await q.obliterate({ force: true });
    await q.close();
    if (q !== queue.queue) await queue.close();
    return { perSec: jobs.length / seconds, cpuUsPerJob: (cpu.user + cpu.system) / jobs.length, redisUsPerJob: redisUs / jobs.length, esRequestsPerJob: esCount / jobs.length, esUsPerJob: esUs / jobs.length };
  }

  // The worker as shipped (concurrent jobs' folds and notice writes coalesced, scans cached), and the
  // same worker with each job's fold, notice write and scan its own (the path before those), in one run.
  const perJob = {
    folds: cases,
    notices: { es: env.es, index: indices.notices, writer: { record: (r: ReportJob, caseId: string) => recordNotice(env.es, indices.notices, r, caseId) } },
    scans: { scan: scanContent },
  };
  const sides = { batched: {}, 'per-job': perJob } as const;
  type Side = { perSec: number; ratio: number; cpuUs: number; ownCpuUs: number; perCoreSec: number; redisUs: number; esRequests: number; esUs: number };
  const results: Record<string, { noopPerSec: number; noopCpuUs: number; noopRedisUs: number } & Record<keyof typeof sides, Side>> = {};
  async function indexPosts(jobs: ReportJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += 1000) {
      const operations = jobs.slice(i, i + 1000).flatMap((j) => [{ index: { _index: env.config.contentIndex, _id: j.content.id } }, { ...j.content, createdAt: j.receivedAt }]);
      await env.es.bulk({ operations, refresh: i + 1000 >= jobs.length });
    }
  }
  // Warm-up, not measured: both paths once, so neither measured drain pays for compiling the code first.
  for (const [name, extra] of Object.entries(sides) as [keyof typeof sides, Partial<TriageDeps>][]) {
    const jobs = makeJobs(300, `warm-${name}`);
    await indexPosts(jobs);
    await drain('reports', jobs, () => createTriageWorker({ cases, rules: live, actions, content, notices: { es: env.es, index: indices.notices }, ...extra }, { connection, prefix, concurrency: 10, logger: env.logger }));
  }
  // TAKEDOWN_BENCH_TRIAGE_CONCURRENCY=1 (or 50): that level alone.
  const only = Number(process.env['TAKEDOWN_BENCH_TRIAGE_CONCURRENCY'] ?? 0);
  for (const concurrency of ([1, 50] as const).filter((c) => !only || c === only)) {
    const n = JOBS[concurrency];
    const noop = await drain(`noop-c${concurrency}`, makeJobs(n, `noop${concurrency}`), () => new Worker(`noop-c${concurrency}`, async () => undefined, { connection, prefix: queuePrefixFor(prefix, `noop-c${concurrency}`), concurrency }));
    console.log(`concurrency ${concurrency}: no-op worker ${noop.perSec.toFixed(0)} jobs/s, process CPU ${noop.cpuUsPerJob.toFixed(0)} µs per job, Redis CPU ${noop.redisUsPerJob.toFixed(0)} µs per job`);
    const row = { noopPerSec: round(noop.perSec, 0), noopCpuUs: round(noop.cpuUsPerJob, 0), noopRedisUs: round(noop.redisUsPerJob, 0) } as (typeof results)[string];
    // Which side goes first alternates with the concurrency (and TAKEDOWN_BENCH_TRIAGE_ORDER=per-job-first flips it).
    const order = Object.entries(sides) as [keyof typeof sides, Partial<TriageDeps>][];
    if ((concurrency === 50) !== (process.env['TAKEDOWN_BENCH_TRIAGE_ORDER'] === 'per-job-first')) order.reverse();
    for (const [name, extra] of order) {
      const tag = `${name === 'batched' ? 'tri' : 'one'}${concurrency}`;
      const jobs = makeJobs(n, tag);
      await indexPosts(jobs);
      const deps: TriageDeps = { cases, rules: live, actions, content, notices: { es: env.es, index: indices.notices }, ...extra };
      const t = await drain('reports', jobs, () => createTriageWorker(deps, { connection, prefix, concurrency, logger: env.logger }), `triage-${name}-c${concurrency}`);
      row[name] = { perSec: round(t.perSec, 0), ratio: round(t.perSec / noop.perSec), cpuUs: round(t.cpuUsPerJob, 0), ownCpuUs: round(t.cpuUsPerJob - noop.cpuUsPerJob, 0), perCoreSec: round(1e6 / t.cpuUsPerJob, 0), redisUs: round(t.redisUsPerJob, 0), esRequests: round(t.esRequestsPerJob), esUs: round(t.esUsPerJob, 0) };
      console.log(`  triage (${name}): ${t.perSec.toFixed(0)} reports/s, ratio ${(t.perSec / noop.perSec).toFixed(2)} (target ≥ 0.70)`);
      console.log(`    process CPU per report ${t.cpuUsPerJob.toFixed(0)} µs (${(t.cpuUsPerJob / noop.cpuUsPerJob).toFixed(2)}× the no-op's; ${(1e6 / t.cpuUsPerJob).toFixed(0)} reports/s per triage core); triage CPU per report beyond the no-op worker's BullMQ bookkeeping ${(t.cpuUsPerJob - noop.cpuUsPerJob).toFixed(0)} µs`);
      console.log(`    Redis CPU per report (whole server) ${t.redisUsPerJob.toFixed(0)} µs (${(t.redisUsPerJob / noop.redisUsPerJob).toFixed(2)}×); Elasticsearch requests per report ${t.esRequestsPerJob.toFixed(2)}, its CPU per report (whole server) ${t.esUsPerJob.toFixed(0)} µs`);
    }
    results[`c${concurrency}`] = row;
  }
  const caseCount = await cases.caseCount();
  console.log(`${caseCount} cases from ${2 * (JOBS[1] + JOBS[50] + 300)} reports (every fourth report folds into an earlier case); ruleset ${live.current().compiled.rules.length} rules`);
  console.log(JSON.stringify({ bench: 'triage', rules: TERMS, ratios: { c1: results['c1']?.batched.ratio, c50: results['c50']?.batched.ratio }, perJobRatios: { c1: results['c1']?.['per-job'].ratio, c50: results['c50']?.['per-job'].ratio }, target: 0.7, results }));

  profiler?.disconnect();
  await started.stop();
  await actions.close();
  await closeRedisClient(connection);
  await env.cleanup();
}

runBench(main);
