// npm run bench -- claim             (needs-servers: real Redis and Elasticsearch)
// 50 moderators claim at the same instant, round after round, through the
// moderation API over HTTP (the API runs in its own process, as deployed,
// so the load generator does not steal its CPU) until the queue is empty:
// p50/p99 claim latency and double claims (two moderators handed the same
// case). Baseline in the same run: the same 50 clients calling GET /healthz
// the same way (same HTTP stack, no token and no Redis work). Also the API
// process's own CPU per claim and per healthz (its process.cpuUsage(), asked
// over IPC through cpu-probe), and claims/s. TAKEDOWN_BENCH_CPU_PROF=<dir>
// writes a CPU profile of the API's main thread per phase into <dir>
// (healthz.cpuprofile, claim.cpuprofile; bench/dist/cpuprofile-top.js
// summarises them).
// Ends with one JSON line.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Agent } from 'node:http';
import { CaseStore, casePriority, caseIdFor, laneScore, type ReportJob } from '@takedown/shared';
import { buildApiDeps } from '@takedown/moderation-api';
import { askProbe, benchEnv, percentile, round, runBench, timedRequest, BENCH_RATE_LIMITS_OFF } from './bench-env';

const MODERATORS = 50;
const CASES = 5000;
const BASELINE_REQUESTS = 5000;

async function main(): Promise<void> {
  const env = benchEnv('claim');
  const deps = await buildApiDeps({ ...env.config, port: 0, host: '127.0.0.1', leaseSeconds: 600, authFailuresPerMinute: 300, intake: { waitReplicas: 0, waitTimeoutMs: 250 }, esTimeoutMs: 3000, esScanTimeoutMs: 20_000, ruleWorkers: { size: 1, taskTimeoutMs: 60_000, maxQueued: 8 }, legal: { nonJudicialOutcome: 'needs_info', jurisdictions: [], accountsIndex: 'platform-accounts', signInsIndex: 'platform-signins' } }, env.logger);
  const port = 18000 + Math.floor(Math.random() * 2000);
  const profDir = process.env['TAKEDOWN_BENCH_CPU_PROF'];
  const api = spawn(process.execPath, ['-r', path.join(__dirname, 'cpu-probe.js'), path.join(__dirname, '..', '..', 'services', 'moderation-api', 'dist', 'main.js')], {
    env: { ...process.env, ...BENCH_RATE_LIMITS_OFF, LOG_LEVEL: 'warn', TAKEDOWN_API_PORT: String(port), TAKEDOWN_API_HOST: '127.0.0.1', TAKEDOWN_INDEX_PREFIX: env.config.indexPrefix, TAKEDOWN_CONTENT_INDEX: env.config.contentIndex, TAKEDOWN_QUEUE_PREFIX: env.config.queuePrefix },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  for (let up = false; !up; ) {
    up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (!up) await new Promise((r) => setTimeout(r, 100));
  }
  const agent = new Agent({ keepAlive: true, maxSockets: MODERATORS });

  // Open cases, folded straight into Redis (what triage would have done), through the
  // bench's own client: the API's request-path client gives up after 500 ms on a loaded machine.
  const seed = new CaseStore(env.redis, deps.cases.keys, 600_000);
  const now = new Date();
  for (let i = 0; i < CASES; i += 250) {
    await Promise.all(
      Array.from({ length: Math.min(250, CASES - i) }, async (_, k) => {
        const n = i + k;
        const contentId = `bench-post-${n}`;
        const report: ReportJob = {
          reportId: `bench-r${n}`,
          receivedAt: now.toISOString(),
          content: { id: contentId, type: 'post', text: 'selling cocaine', authorId: 'a1' },
          reporter: { type: 'user' },
          reason: 'drugs',
        };
        const priority = casePriority({ category: 'drugs', reporterTypes: ['user'], reportCount: 1 + (n % 5), liveRuleHits: n % 2, autoRemoveHit: false, firstReportedAt: now, now });
        await seed.fold({
          caseId: caseIdFor(contentId),
          report,
          expectedRev: 0,
          fields: { id: caseIdFor(contentId), contentId, lane: 'default', priority, category: 'drugs', content: report.content, reportCount: 1, reporterTypes: ['user'], ruleHits: [], firstReportedAt: now.toISOString(), lastReportedAt: now.toISOString() },
          mode: 'enqueue',
          score: laneScore(priority, now),
          now,
          audit: { type: 'report.received', actor: 'bench', at: now.toISOString() },
        });
      }),
    );
  }
  const tokens = await Promise.all(
    Array.from({ length: MODERATORS }, async (_, i) => (await deps.tokens.create({ role: 'moderator', name: `bench-mod-${i}`, createdBy: 'bench' })).token),
  );

  const call = (method: string, path: string, token: string, body?: unknown) => timedRequest(agent, port, method, path, token, body);

  // Warm up both paths.
  for (let i = 0; i < 200; i++) await call('GET', '/healthz', tokens[0]!);

  // Rounds: all 50 fire at once, the next round starts when all have answered.
  async function rounds(fire: (token: string) => Promise<{ ms: number; more: boolean }>, maxRounds: number): Promise<{ ms: number[]; seconds: number }> {
    const ms: number[] = [];
    const t0 = performance.now();
    for (let round = 0; round < maxRounds; round++) {
      const res = await Promise.all(tokens.map(fire));
      for (const r of res) ms.push(r.ms);
      if (res.every((r) => !r.more)) break;
    }
    return { ms, seconds: (performance.now() - t0) / 1000 };
  }

  await quiet(api);
  if (profDir) await askProbe(api, { profile: 'start' });
  const cpu0 = await cpuMs(api);
  const base = await rounds(async (t) => ({ ms: (await call('GET', '/healthz', t)).ms, more: true }), BASELINE_REQUESTS / MODERATORS);
  const baseline = base.ms;
  const baselineSeconds = base.seconds;
  const cpu1 = await cpuMs(api);
  if (profDir) {
    await askProbe(api, { profile: 'stop', file: path.join(profDir, 'healthz.cpuprofile') });
    await askProbe(api, { profile: 'start' });
  }

  const claimed: string[] = [];
  const run = await rounds(async (t) => {
    const r = await call('POST', '/v1/review/claim', t, { queue: 'default' });
    if (r.status === 204) return { ms: r.ms, more: false };
    if (r.status !== 200) throw new Error(`claim answered ${r.status}: ${r.body}`);
    claimed.push((JSON.parse(r.body) as { case: { id: string } }).case.id);
    return { ms: r.ms, more: true };
  }, Number.MAX_SAFE_INTEGER);
  const cpu2 = await cpuMs(api);
  if (profDir) await askProbe(api, { profile: 'stop', file: path.join(profDir, 'claim.cpuprofile') });
  const latencies = run.ms;
  const claimSeconds = run.seconds;
  latencies.sort((a, b) => a - b);
  baseline.sort((a, b) => a - b);
  const doubles = claimed.length - new Set(claimed).size;
  const result = {
    bench: 'claim',
    moderators: MODERATORS,
    cases: CASES,
    claimed: claimed.length,
    doubleClaims: doubles,
    claimP50Ms: round(percentile(latencies, 50)),
    claimP99Ms: round(percentile(latencies, 99)),
    claimsPerSec: round(latencies.length / claimSeconds, 0),
    baselineP50Ms: round(percentile(baseline, 50)),
    baselineP99Ms: round(percentile(baseline, 99)),
    baselinePerSec: round(BASELINE_REQUESTS / baselineSeconds, 0),
    apiCpuMsPerClaim: round((cpu2 - cpu1) / latencies.length, 3),
    apiCpuMsPerHealthz: round((cpu1 - cpu0) / baseline.length, 3),
    ratios: { p50VsHealthz: round(percentile(latencies, 50) / percentile(baseline, 50)), p99VsHealthz: round(percentile(latencies, 99) / percentile(baseline, 99)) },
    targets: { claimP99Ms: 25, doubleClaims: 0 },
  };
  console.log(`${MODERATORS} moderators claimed ${claimed.length}/${CASES} cases: p50 ${result.claimP50Ms} ms, p99 ${result.claimP99Ms} ms (target ≤ 25), ${doubles} double claims (target 0), ${result.claimsPerSec} claims/s`);
  console.log(`baseline GET /healthz at the same concurrency: p50 ${result.baselineP50Ms} ms, p99 ${result.baselineP99Ms} ms, ${result.baselinePerSec}/s; claim/healthz p50 ${result.ratios.p50VsHealthz}×, p99 ${result.ratios.p99VsHealthz}× (target ≤ 1.3)`);
  console.log(`API process CPU: ${result.apiCpuMsPerClaim} ms per claim, ${result.apiCpuMsPerHealthz} ms per healthz (${round(result.apiCpuMsPerClaim / result.apiCpuMsPerHealthz)}×)`);
  console.log(JSON.stringify(result));

  agent.destroy();
  api.kill('SIGTERM');
  await new Promise((r) => api.once('exit', r));
  await deps.close();
  await env.cleanup();
}

/** The API process's CPU time so far (user + system, every thread, ms), as its own process.cpuUsage() says. */
async function cpuMs(child: ChildProcess): Promise<number> {
  const { cpu } = await askProbe<{ cpu: NodeJS.CpuUsage }>(child, 'cpu');
  return (cpu.user + cpu.system) / 1000;
}

/**
 * Waits (≤ 30 s) until the API is idle: under 5 % of a core over half a
 * second. Its start-up (the rule worker loading the shipped lists, the
 * first publish) must not land in a phase's CPU.
 */
async function quiet(child: ChildProcess): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const a = await cpuMs(child);
    await new Promise((r) => setTimeout(r, 500));
    if ((await cpuMs(child)) - a < 25) return;
  }
}

runBench(main);
