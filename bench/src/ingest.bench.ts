// npm run bench -- ingest            (needs-servers: real Redis and Elasticsearch)
// _bulk throughput through the ingest service (its own process, as
// deployed) beside the same bulk bodies sent straight to Elasticsearch, in
// one run, alternating, with the matcher holding the shipped lists plus
// 50,000 extra terms. A third side sends straight to Elasticsearch the
// documents as ingest stores them (with moderation.*, the normalised text
// above all): Elasticsearch's own extra work, the ceiling of the ratio. ~1 KB posts from the demo corpus, 1,000 per bulk,
// two bulks in flight (an indexer's usual shape). Each round writes fresh
// ids, so both sides create documents. Ends with one JSON line.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent } from 'node:http';
import os from 'node:os';
import { elasticsearchNodes, RulesetStore, TokenStore, ensureContentIndex, moderationKeys, rulesetKeys } from '@takedown/shared';
import { shippedRules, testing } from '@takedown/search-rules';
import { benchEnv, cpuOf, median, percentile, postNdjson, round, runBench, serverCpuReader, stopChildren, BENCH_RATE_LIMITS_OFF } from './bench-env';
import { ingestPosts } from './ingest-posts';

const TERMS = 50_000;
const DOCS_PER_ROUND = 20_000;
const BATCH = 1_000;
const IN_FLIGHT = 2;
const ROUNDS = 3;

async function main(): Promise<void> {
  const env = benchEnv('ingest');
  const { config } = env;
  const root = path.join(__dirname, '..', '..');
  const port = 18000 + Math.floor(Math.random() * 2000);
  const direct = `${config.indexPrefix}-direct`;
  const stored = `${config.indexPrefix}-stored`;
  for (const index of [config.contentIndex, direct, stored]) await ensureContentIndex(env.es, index, 0);

  const at = new Date().toISOString();
  const shipped = shippedRules(at);
  const extra = Array.from({ length: TERMS }, (_, i) => testing.rule(`syn${i}`, testing.syntheticWord(i), { scope: ['content'], action: 'flag_for_review' }));
  await new RulesetStore(env.redis, rulesetKeys(config.queuePrefix)).publish([...shipped, ...extra], 'bench');
  const token = (await new TokenStore(env.redis, moderationKeys(config.queuePrefix)).create({ role: 'ingest', name: 'bench-ingest', createdBy: 'bench' })).token;

  const flags = (JSON.parse(readFileSync(path.join(root, 'services/ingest/package.json'), 'utf8')) as { takedown?: { nodeFlags?: string[] } }).takedown?.nodeFlags ?? [];
  // cpu-probe: the process answers its own CPU over IPC (cpuOf).
  const child: ChildProcess = spawn(process.execPath, [...flags, '-r', path.join(__dirname, 'cpu-probe.js'), path.join(root, 'services/ingest/dist/main.js')], {
    env: { ...process.env, ...BENCH_RATE_LIMITS_OFF, LOG_LEVEL: 'warn', TAKEDOWN_INDEX_PREFIX: config.indexPrefix, TAKEDOWN_CONTENT_INDEX: config.contentIndex, TAKEDOWN_QUEUE_PREFIX: config.queuePrefix, TAKEDOWN_INGEST_PORT: String(port), TAKEDOWN_INGEST_HOST: '127.0.0.1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const esUrl = new URL(elasticsearchNodes(config.elasticsearch.url)[0] ?? config.elasticsearch.url);
  const send = (target: { port: number; host: string; auth?: string }, p: string, body: string) => postNdjson(agent, target, p, body);
  const ingestTarget = { host: '127.0.0.1', port, auth: `Bearer ${token}` };
  const esTarget = { host: esUrl.hostname, port: Number(esUrl.port || 9200), ...(config.elasticsearch.apiKey ? { auth: `ApiKey ${config.elasticsearch.apiKey}` } : {}) };
  for (let i = 0; i < 300; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    if (r?.ok) break;
    if (i === 299) throw new Error('the ingest service did not become ready');
    await new Promise((r2) => setTimeout(r2, 200));
  }

  const { posts, moderationOf, flagged } = ingestPosts([...shipped, ...extra], at);
  console.log(`posts with a rule hit: ${(100 * flagged).toFixed(1)} % (the demo corpus's mix)`);
  const bodies = (round: number, side: string, index: string, withModeration = false): string[] => {
    const out: string[] = [];
    for (let start = 0; start < DOCS_PER_ROUND; start += BATCH) {
      const lines: string[] = [];
      for (let i = start; i < start + BATCH; i++) {
        const post = posts[i % posts.length]!;
        const id = `${side}${round}-${i}`;
        lines.push(JSON.stringify({ index: { _index: index, _id: id } }), JSON.stringify(withModeration ? { ...post, id, moderation: moderationOf[i % posts.length] } : { ...post, id }));
      }
      out.push(`${lines.join('\n')}\n`);
    }
    return out;
  };
  /** Machine-wide CPU use (0..1 of all cores) over a stretch: tells a CPU-bound run from a waiting one. */
  const cpuTimes = () => os.cpus().reduce((a, c) => ({ idle: a.idle + c.times.idle, total: a.total + Object.values(c.times).reduce((x, y) => x + y, 0) }), { idle: 0, total: 0 });
  /**
   * CPU µs used so far by each process on the path: the servers (serverCpuReader), the ingest process (its
   * cpu-probe) and this load generator. Read before and after a side runs, they say where its CPU went per
   * document, not only how busy the machine was.
   */
  const serverCpu = await serverCpuReader(env.redis, env.es);
  const processCpu = async (): Promise<Record<'elasticsearch' | 'redis' | 'ingest' | 'load', number>> => {
    const [{ redisUs, elasticsearchUs }, ingestMs] = await Promise.all([serverCpu(), cpuOf(child)]);
    const own = process.cpuUsage();
    return { elasticsearch: elasticsearchUs, redis: redisUs, ingest: ingestMs * 1000, load: own.user + own.system };
  };
  const run = async (target: typeof ingestTarget | typeof esTarget, p: string, batches: string[]) => {
    const latencies: number[] = [];
    const p0 = await processCpu();
    const c0 = cpuTimes();
    let next = 0;
    let errors = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < batches.length) {
          const body = batches[next++] as string;
          const s = performance.now();
          const r = await send(target, p, body);
          latencies.push(performance.now() - s);
          if (r.status !== 200) throw new Error(`bulk answered ${r.status}: ${r.body.slice(0, 300)}`);
          if (r.body.includes('"errors":true')) errors++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const c1 = cpuTimes();
    const p1 = await processCpu();
    latencies.sort((a, b) => a - b);
    const usPerDoc = Object.fromEntries((Object.keys(p0) as (keyof typeof p0)[]).map((k) => [k, round((p1[k] - p0[k]) / (batches.length * BATCH), 0)])) as typeof p0;
    return { docsPerSec: (batches.length * BATCH) / seconds, p50: percentile(latencies, 50), errors, cpu: 1 - (c1.idle - c0.idle) / Math.max(1, c1.total - c0.total), usPerDoc };
  };

  // Warm-up on both sides (JIT, connections, index segments), not counted.
  await run(esTarget, '/_bulk', bodies(0, 'w', direct).slice(0, 4));
  await run(esTarget, '/_bulk', bodies(0, 'w', stored, true).slice(0, 4));
  await run(ingestTarget, '/_bulk', bodies(0, 'w', config.contentIndex).slice(0, 4));
  const sides = ['direct', 'stored', 'ingest'] as const;
  const rounds: { direct: number; stored: number; ingest: number; ratio: number; ceiling: number; directP50: number; ingestP50: number; directCpu: number; ingestCpu: number; cpuUsPerDoc: Record<(typeof sides)[number], Awaited<ReturnType<typeof processCpu>>> }[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    // Rotate which side goes first, so none always meets a busier Elasticsearch.
    const order = [...sides.slice((r - 1) % 3), ...sides.slice(0, (r - 1) % 3)];
    const results: Record<string, Awaited<ReturnType<typeof run>>> = {};
    for (const side of order) {
      const batches = side === 'direct' ? bodies(r, 'd', direct) : side === 'stored' ? bodies(r, 's', stored, true) : bodies(r, 'i', config.contentIndex);
      results[side] = await run(side === 'ingest' ? ingestTarget : esTarget, '/_bulk', batches);
      if (results[side]!.errors > 0) throw new Error(`${side}: ${results[side]!.errors} bulks had item errors`);
    }
    const d = results['direct']!;
    const st = results['stored']!;
    const i = results['ingest']!;
    rounds.push({ direct: round(d.docsPerSec, 0), stored: round(st.docsPerSec, 0), ingest: round(i.docsPerSec, 0), ratio: round(i.docsPerSec / d.docsPerSec), ceiling: round(st.docsPerSec / d.docsPerSec), directP50: round(d.p50, 1), ingestP50: round(i.p50, 1), directCpu: round(d.cpu), ingestCpu: round(i.cpu), cpuUsPerDoc: { direct: d.usPerDoc, stored: st.usPerDoc, ingest: i.usPerDoc } });
    console.log(
      `round ${r}: straight to Elasticsearch ${d.docsPerSec.toFixed(0)} docs/s (bulk p50 ${d.p50.toFixed(0)} ms, CPU ${(100 * d.cpu).toFixed(0)} %); ` +
        `as stored, straight ${st.docsPerSec.toFixed(0)} docs/s (ceiling ${(st.docsPerSec / d.docsPerSec).toFixed(2)}); ` +
        `through ingest ${i.docsPerSec.toFixed(0)} docs/s (bulk p50 ${i.p50.toFixed(0)} ms, CPU ${(100 * i.cpu).toFixed(0)} %); ratio ${(i.docsPerSec / d.docsPerSec).toFixed(2)}`,
    );
  }

  // Where the ingest process spent its time (its own histograms).
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const sum = (name: string) => Number(new RegExp(`^${name}_sum(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);
  const count = (name: string) => Number(new RegExp(`^${name}_count(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);
  const docs = (ROUNDS + 0.2) * DOCS_PER_ROUND;
  const scanUsPerDoc = (sum('takedown_ingest_scan_seconds') / docs) * 1e6;
  const upstreamMsPerBatch = (sum('takedown_ingest_upstream_seconds') / Math.max(1, count('takedown_ingest_upstream_seconds'))) * 1000;
  console.log(`ingest scan (normalise + match, ${shipped.length + TERMS} rules): ${scanUsPerDoc.toFixed(0)} µs per document; Elasticsearch round trips: ${upstreamMsPerBatch.toFixed(0)} ms each on average (multi-get and bulk)`);

  const medianRatio = median(rounds.map((x) => x.ratio));
  const ceiling = median(rounds.map((x) => x.ceiling));
  const cpuUsPerDoc = (side: 'direct' | 'ingest') => median(rounds.map((x) => (os.cpus().length * (side === 'direct' ? x.directCpu : x.ingestCpu) * 1e6) / (side === 'direct' ? x.direct : x.ingest)));
  console.log(`median ratio ingest ÷ direct: ${medianRatio.toFixed(2)} (target ≥ 0.70); Elasticsearch's own ceiling for documents as stored: ${ceiling.toFixed(2)}`);
  console.log(`machine CPU per document (${os.cpus().length} cores): direct ${cpuUsPerDoc('direct').toFixed(0)} µs, through ingest ${cpuUsPerDoc('ingest').toFixed(0)} µs`);
  // Where each side's CPU went, per document (median over rounds): the gap between the sides, process by process.
  const breakdown = Object.fromEntries(sides.map((side) => [side, Object.fromEntries((['elasticsearch', 'redis', 'ingest', 'load'] as const).map((k) => [k, median(rounds.map((x) => x.cpuUsPerDoc[side][k]))]))]));
  for (const side of sides) {
    const b = breakdown[side] as Record<string, number>;
    console.log(`CPU per document, ${side.padEnd(6)}: Elasticsearch ${b['elasticsearch']} µs, Redis ${b['redis']} µs, ingest process ${b['ingest']} µs, load generator ${b['load']} µs`);
  }
  console.log(JSON.stringify({ bench: 'ingest', rules: shipped.length + TERMS, flagged: round(flagged, 3), docsPerRound: DOCS_PER_ROUND, batch: BATCH, inFlight: IN_FLIGHT, rounds, medianRatio, ceiling, target: 0.7, cpuUsPerDoc: breakdown, scanUsPerDoc: round(scanUsPerDoc, 0) }));

  await stopChildren([child]);
  agent.destroy();
  await env.es.indices.delete({ index: `${direct},${stored}` }).catch(() => undefined);
  await env.cleanup();
}

runBench(main);
