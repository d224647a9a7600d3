// npm run bench -- triage            (needs-servers: real Redis and Elasticsearch)
// Reports per second through the triage worker (50k-term ruleset, ~1 KB
// posts read from the content index as triage does, one case per content
// with repeats folded) beside a bare no-op
// BullMQ worker draining the same number of identical jobs on the same
// Redis, at concurrency 1 and 50, in this run. Reports are token-filed, as
// the API files them, so each one also writes its Art. 16 notice record.
// Ends with one JSON line.
// TAKEDOWN_BENCH_PROFILE=<dir>: a CPU profile of each triage drain alone
// (not the setup, not the no-op worker) written there as .cpuprofile.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { Worker } from 'bullmq';
import { CaseStore, CatalogQueue, ContentReader, closeRedisClient, createRedisClient, ensureContentIndex, ensureTakedownIndices, RulesetStore, generateDemoCorpus, jobCatalog, moderationKeys, queuePrefixFor, redisTarget, rulesetKeys, startLiveRuleset, workerQueueOptions, type ReportJob } from '@takedown/shared';
import { compileStoredRuleset, shippedRules, testing, type CompiledRuleset } from '@takedown/search-rules';
import { createTriageWorker } from '@takedown/triage-worker';
import { benchEnv, round, runBench } from './bench-env';

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
  // Redis's own CPU too (INFO cpu; the server may be shared, so this is an upper bound): with every
  // report on one queue's hash tag, that one Redis core is the intake ceiling.
  const redisCpuUs = async (): Promise<number> => {
    const info = await env.redis.info('cpu');
    const v = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
    return (v('used_cpu_user') + v('used_cpu_sys')) * 1e6;
  };
  async function drain(queueName: string, jobs: ReportJob[], makeWorker: () => Worker, profileAs?: string): Promise<{ perSec: number; cpuUsPerJob: number; redisUsPerJob: number }> {
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
    const redis0 = await redisCpuUs();
    const worker = makeWorker();
    await new Promise<void>((resolve, reject) => {
      worker.on('completed', () => {
        if (++done === jobs.length) resolve();
      });
      worker.on('failed', (_job, err) => reject(err));
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const redisUs = (await redisCpuUs()) - redis0;
    if (profiler && profileAs && profileDir) {
      const { profile } = await profiler.post('Profiler.stop');
      fs.mkdirSync(profileDir, { recursive: true });
      fs.writeFileSync(path.join(profileDir, `${profileAs}.cpuprofile`), JSON.stringify(profile));
    }
    await worker.close();
    await q.obliterate({ force: true });
    await q.close();
    if (q !== queue.queue) await queue.close();
    return { perSec: jobs.length / seconds, cpuUsPerJob: (cpu.user + cpu.system) / jobs.length, redisUsPerJob: redisUs / jobs.length };
  }

  const results: Record<string, { triagePerSec: number; noopPerSec: number; ratio: number; triageCpuUs: number; noopCpuUs: number; triagePerCoreSec: number; triageOwnCpuUs: number; triageRedisUs: number; noopRedisUs: number }> = {};
  for (const concurrency of [1, 50] as const) {
    const n = JOBS[concurrency];
    const noop = await drain(`noop-c${concurrency}`, makeJobs(n, `noop${concurrency}`), () => new Worker(`noop-c${concurrency}`, async () => undefined, { connection, prefix: queuePrefixFor(prefix, `noop-c${concurrency}`), concurrency }));
    const jobs = makeJobs(n, `tri${concurrency}`);
    for (let i = 0; i < jobs.length; i += 1000) {
      const operations = jobs.slice(i, i + 1000).flatMap((j) => [{ index: { _index: env.config.contentIndex, _id: j.content.id } }, { ...j.content, createdAt: j.receivedAt }]);
      await env.es.bulk({ operations, refresh: i + 1000 >= jobs.length });
    }
    const triage = await drain('reports', jobs, () => createTriageWorker({ cases, rules: live, actions, content, notices: { es: env.es, index: indices.notices } }, { connection, prefix, concurrency, logger: env.logger }), `triage-c${concurrency}`);
    results[`c${concurrency}`] = { triagePerSec: round(triage.perSec, 0), noopPerSec: round(noop.perSec, 0), ratio: round(triage.perSec / noop.perSec), triageCpuUs: round(triage.cpuUsPerJob, 0), noopCpuUs: round(noop.cpuUsPerJob, 0), triagePerCoreSec: round(1e6 / triage.cpuUsPerJob, 0), triageOwnCpuUs: round(triage.cpuUsPerJob - noop.cpuUsPerJob, 0), triageRedisUs: round(triage.redisUsPerJob, 0), noopRedisUs: round(noop.redisUsPerJob, 0) };
    console.log(`concurrency ${concurrency}: triage ${triage.perSec.toFixed(0)} reports/s, no-op worker ${noop.perSec.toFixed(0)} jobs/s, ratio ${(triage.perSec / noop.perSec).toFixed(2)} (target ≥ 0.70)`);
    console.log(`  process CPU per job: triage ${triage.cpuUsPerJob.toFixed(0)} µs, no-op ${noop.cpuUsPerJob.toFixed(0)} µs (${(triage.cpuUsPerJob / noop.cpuUsPerJob).toFixed(2)}×): ${(1e6 / triage.cpuUsPerJob).toFixed(0)} reports/s per triage core`);
    console.log(`  triage CPU per report (process CPU beyond the no-op worker's BullMQ bookkeeping): ${(triage.cpuUsPerJob - noop.cpuUsPerJob).toFixed(0)} µs`);
    console.log(`  Redis CPU per job (INFO cpu, whole server): triage ${triage.redisUsPerJob.toFixed(0)} µs, no-op ${noop.redisUsPerJob.toFixed(0)} µs (${(triage.redisUsPerJob / noop.redisUsPerJob).toFixed(2)}×)`);
  }
  const caseCount = await cases.caseCount();
  console.log(`${caseCount} cases from ${JOBS[1] + JOBS[50]} reports (every fourth report folds into an earlier case); ruleset ${live.current().compiled.rules.length} rules`);
  console.log(JSON.stringify({ bench: 'triage', rules: TERMS, ratios: { c1: results['c1']!.ratio, c50: results['c50']!.ratio }, target: 0.7, results }));

  profiler?.disconnect();
  await started.stop();
  await actions.close();
  await closeRedisClient(connection);
  await env.cleanup();
}

runBench(main);
