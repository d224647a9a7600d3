// npm run bench -- features          (needs-servers: real Redis and Elasticsearch)
// Feature switches, three figures, each beside a baseline from the same run:
// 1. local evaluation (@takedown/features' evaluateFeature) per feature, on a
//    snapshot of 20 features × 12 rules, against a bare Set lookup per feature
//    (target: median < 1 µs per feature);
// 2. GET /v1/features/evaluate against GET /healthz through the moderation API
//    (its own process, as deployed), same agent, same concurrency;
// 3. publish-to-all-clients propagation: 5 FeatureClient instances, 50
//    publishes, the time until the last client uses the new version
//    (target p99 ≤ 200 ms). Ends with one JSON line.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Agent } from 'node:http';
import { PLATFORMS, compileFeatures, connectFeatureClient, evaluateFeature, type Feature, type FeatureContext } from '@takedown/features';
import { COUNTRY_CODE_LIST, RulesetStore, TokenStore, moderationKeys, rulesetKeys } from '@takedown/shared';
import { benchEnv, closedLoop, percentile, round, runBench, stopChildren, timedRequest, BENCH_RATE_LIMITS_OFF } from './bench-env';

const FEATURES = 20;
const RULES = 12;
const EVALS = 200_000;
const BATCHES = 15;
const REQUESTS = 3000;
const CONCURRENCY = 10;
const CLIENTS = 5;
const PUBLISHES = 50;

function features(seed: number): Feature[] {
  const basis = { text: 'bench', reference: 'B-1' };
  return Array.from({ length: FEATURES }, (_, f) => ({
    key: `feature_${f}`,
    description: 'bench',
    default: f % 2 === 0 ? 'on' : 'off',
    failMode: 'closed',
    rules: Array.from({ length: RULES }, (_, r) => ({
      id: `r${r}-${seed}`,
      countries: COUNTRY_CODE_LIST.slice((f * 7 + r * 13) % 200, ((f * 7 + r * 13) % 200) + 1 + (r % 20)),
      ...(r % 3 === 0 ? { platforms: [PLATFORMS[r % PLATFORMS.length] as (typeof PLATFORMS)[number]] } : {}),
      ...(r % 4 === 0 ? { accountAgeDaysBelow: 30 } : {}),
      state: r % 2 === 0 ? 'off' : 'on',
      reason: 'bench',
      legalBasis: basis,
    })),
  })) as Feature[];
}

function localEvaluation(): { evalNs: number; baselineNs: number } {
  const compiled = compileFeatures({ version: 1, publishedAt: new Date().toISOString(), rules: features(0) });
  const list = [...compiled.features.values()];
  const ctxs: FeatureContext[] = Array.from({ length: 1024 }, (_, i) => ({ country: COUNTRY_CODE_LIST[(i * 31) % COUNTRY_CODE_LIST.length] as string, platform: PLATFORMS[i % PLATFORMS.length] as string, accountAgeDays: i % 60 }));
  const sets = list.map((f) => new Set(f.rules.flatMap((r) => [...(r.countries ?? [])])));
  const now = Date.now();
  let sink = 0;
  const evalNs: number[] = [];
  const baseNs: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    // Baseline: one Set lookup per feature, the least a per-country switch can cost.
    let t0 = process.hrtime.bigint();
    for (let i = 0; i < EVALS; i++) {
      const ctx = ctxs[i & 1023] as FeatureContext;
      if ((sets[i % FEATURES] as Set<string>).has(ctx.country as string)) sink++;
    }
    baseNs.push(Number(process.hrtime.bigint() - t0) / EVALS);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < EVALS; i++) {
      if (evaluateFeature(list[i % FEATURES]!, ctxs[i & 1023] as FeatureContext, now).on) sink++;
    }
    evalNs.push(Number(process.hrtime.bigint() - t0) / EVALS);
  }
  if (sink === -1) console.log(sink);
  evalNs.sort((a, b) => a - b);
  baseNs.sort((a, b) => a - b);
  return { evalNs: percentile(evalNs, 50), baselineNs: percentile(baseNs, 50) };
}

async function main(): Promise<void> {
  const local = localEvaluation();
  console.log(`local evaluation: median ${local.evalNs.toFixed(0)} ns per feature (${FEATURES} features × ${RULES} rules; target < 1000 ns); baseline Set lookup ${local.baselineNs.toFixed(1)} ns; ratio ${(local.evalNs / local.baselineNs).toFixed(1)}`);

  const env = benchEnv('features');
  const { config } = env;
  const store = new RulesetStore(env.redis, rulesetKeys(config.queuePrefix, 'features'));
  await store.publish(features(0), 'bench', new Date(), { note: 'bench' });
  const tokens = new TokenStore(env.redis, moderationKeys(config.queuePrefix));
  const service = (await tokens.create({ role: 'service', name: 'bench-service', createdBy: 'bench' })).token;

  const port = 18000 + Math.floor(Math.random() * 2000);
  const api = spawn(process.execPath, [path.join(__dirname, '..', '..', 'services', 'moderation-api', 'dist', 'main.js')], {
    env: { ...process.env, ...BENCH_RATE_LIMITS_OFF, LOG_LEVEL: 'warn', TAKEDOWN_API_PORT: String(port), TAKEDOWN_API_HOST: '127.0.0.1', TAKEDOWN_INDEX_PREFIX: config.indexPrefix, TAKEDOWN_CONTENT_INDEX: config.contentIndex, TAKEDOWN_QUEUE_PREFIX: config.queuePrefix },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    for (let up = false; !up; ) {
      up = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const load = (pathFor: (i: number) => string, token: string | undefined) =>
      closedLoop(CONCURRENCY, REQUESTS, async (i) => {
        const r = await timedRequest(agent, port, 'GET', pathFor(i), token);
        if (r.status !== 200) throw new Error(`${pathFor(i)}: ${r.status} ${r.body}`);
        return r.ms;
      });
    const evalPath = (i: number) => `/v1/features/evaluate?country=${COUNTRY_CODE_LIST[(i * 31) % COUNTRY_CODE_LIST.length]}&platform=${PLATFORMS[i % PLATFORMS.length]}&accountAgeDays=${i % 60}`;
    // Warm both paths, then alternate which goes first.
    await load(() => '/healthz', undefined);
    await load(evalPath, service);
    const health = await load(() => '/healthz', undefined);
    const evaluate = await load(evalPath, service);
    console.log(`GET /healthz:               ${health.perSec.toFixed(0)} req/s, p50 ${health.p50.toFixed(2)} ms, p99 ${health.p99.toFixed(2)} ms (concurrency ${CONCURRENCY})`);
    console.log(`GET /v1/features/evaluate:  ${evaluate.perSec.toFixed(0)} req/s, p50 ${evaluate.p50.toFixed(2)} ms, p99 ${evaluate.p99.toFixed(2)} ms (token lookup + one GET + ${FEATURES} evaluations)`);
    console.log(`evaluate/healthz: throughput ${(evaluate.perSec / health.perSec).toFixed(2)}, p50 ${(evaluate.p50 / health.p50).toFixed(2)}`);

    // Propagation: the time from a publish's commit until the last of the clients uses it.
    const seen = new Map<number, number[]>();
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, (_, c) =>
        connectFeatureClient({
          redisUrl: config.redis.url,
          queuePrefix: config.queuePrefix,
          maxStalenessMs: 5000,
          connectionName: `bench-features-${c}`,
          onUpdate: (v) => seen.set(v, [...(seen.get(v) ?? []), performance.now()]),
        }),
      ),
    );
    const propagation: number[] = [];
    for (let i = 1; i <= PUBLISHES; i++) {
      const t0 = performance.now();
      const stored = await store.publish(features(i), 'bench', new Date(), { note: `bench ${i}` });
      while ((seen.get(stored.version)?.length ?? 0) < CLIENTS) {
        if (performance.now() - t0 > 5000) throw new Error(`version ${stored.version} reached ${seen.get(stored.version)?.length ?? 0} of ${CLIENTS} clients in 5 s`);
        await new Promise((r) => setTimeout(r, 1));
      }
      propagation.push(Math.max(...(seen.get(stored.version) as number[])) - t0);
    }
    for (const c of clients) await c.close();
    propagation.sort((a, b) => a - b);
    console.log(`propagation to all ${CLIENTS} clients (${PUBLISHES} publishes): p50 ${percentile(propagation, 50).toFixed(1)} ms, p99 ${percentile(propagation, 99).toFixed(1)} ms, max ${propagation[propagation.length - 1]!.toFixed(1)} ms (target p99 ≤ 200; the version-check timer alone would be ≤ 250)`);
    console.log(
      JSON.stringify({
        bench: 'features',
        local: { features: FEATURES, rulesPerFeature: RULES, medianNsPerFeature: round(local.evalNs, 1), baselineNs: round(local.baselineNs, 1), ratio: round(local.evalNs / local.baselineNs) },
        http: {
          healthz: { perSec: round(health.perSec, 0), p50Ms: round(health.p50), p99Ms: round(health.p99) },
          evaluate: { perSec: round(evaluate.perSec, 0), p50Ms: round(evaluate.p50), p99Ms: round(evaluate.p99) },
          ratios: { throughput: round(evaluate.perSec / health.perSec), p50: round(evaluate.p50 / health.p50) },
        },
        propagation: { clients: CLIENTS, publishes: PUBLISHES, p50Ms: round(percentile(propagation, 50)), p99Ms: round(percentile(propagation, 99)), maxMs: round(propagation[propagation.length - 1]!) },
      }),
    );
  } finally {
    await stopChildren([api]);
    await env.cleanup();
  }
}

runBench(main);
