// npm run bench -- cluster           (needs-servers: the single Redis is the shared/dev one)
// Issue 18's benchmark: the same triage and claim workloads against (a) the
// single Redis and (b) a 3-master Redis Cluster (3 replicas, AOF with the
// single Redis's appendfsync), in this run, through CaseStore directly (no
// API, no triage worker process: the figures are the Redis side of both
// paths). Prints ops/s and cluster÷single ratios, the round trips each
// operation costs (counted in the client), the commands each master
// executed (INFO commandstats deltas), and how the keys of the cases and of
// the BullMQ queues spread over slots and over the masters. On 2 shared
// cores the absolute figures cannot show scaling (every node shares the same
// cores); the distribution, the round trips and the same-run ratios are the
// result. Ends with one JSON line. No assertion on timings.
//
// Triage workload: the triage worker's Redis path (triage-report.ts): a report
// is first folded as a new case (fold-report, no read); a report about content
// already reported gets a conflict carrying the case and is folded again at
// that revision. Every fourth report repeats an earlier content id.
// Claim workload: CaseStore.claim on the default lane by `concurrency`
// moderators, each claiming until the lane is empty (the cross-shard read of
// every shard's heads in one pipelined round trip, then claim-n.lua on one shard).
//
// The cluster: started here through scripts/services.mjs (`up --redis-cluster`)
// on ports of its own (TAKEDOWN_BENCH_CLUSTER_PORT, 7700: nodes 7700-7705) with
// data under .data/bench-cluster (TAKEDOWN_BENCH_CLUSTER_DATA_DIR, wiped first),
// reusing the Elasticsearch named by ELASTICSEARCH_URL, and stopped at the end.
// TAKEDOWN_BENCH_CLUSTER_NODES=host:port,... uses a running cluster instead
// (its bench keys are deleted at the end, the cluster is left running).
// Size: TAKEDOWN_BENCH_CLUSTER_REPORTS (2000), TAKEDOWN_BENCH_CLUSTER_CONCURRENCY
// (16), TAKEDOWN_BENCH_CLUSTER_SEQUENTIAL (40 ops of each kind for the round trips).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import {
  CaseStore,
  Redis,
  QUEUE_NAMES,
  caseIdFor,
  casePriority,
  closeRedisClient,
  createRedisClient,
  hashTagOf,
  isCluster,
  laneScore,
  loadConfig,
  moderationKeys,
  queuePrefixFor,
  redisTarget,
  type CaseRecord,
  type ModerationKeys,
  type RedisClient,
  type RedisTarget,
  type ReportJob,
} from '@takedown/shared';
import { round, runBench } from './bench-env';

const ROOT = path.join(__dirname, '..', '..');
const intEnv = (name: string, dflt: number): number => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer`);
  return v;
};
const REPORTS = intEnv('TAKEDOWN_BENCH_CLUSTER_REPORTS', 2000);
const CONCURRENCY = intEnv('TAKEDOWN_BENCH_CLUSTER_CONCURRENCY', 16);
const SEQUENTIAL = intEnv('TAKEDOWN_BENCH_CLUSTER_SEQUENTIAL', 40);
const JOBS_PER_QUEUE = 20;
// Bounds every command: a bench that hangs on a stuck node says nothing; 10 s is far above any
// single operation here even on a loaded box.
const COMMAND_TIMEOUT_MS = 10_000;
const SERVICES_TIMEOUT_MS = 180_000;

// --- round-trip counting ----------------------------------------------------
//
// Every command ioredis sends goes through Redis.prototype.sendCommand of the
// node's connection (a Cluster routes to its node clients' sendCommand). A
// pipeline passes a stream object of its own per node and writes its commands
// in one socket write: one round trip per (pipeline, node). A command outside
// a pipeline is one round trip. WeakSets keep a command re-sent from the
// offline queue (or a pipeline re-sent after MOVED) from being counted twice.
// `waves` counts the sequential round trips of an operation (what its latency
// pays): writes issued in the same turn of the event loop go out in parallel
// and count once; only meaningful when one operation runs at a time.
interface Counter {
  writes: number;
  commands: number;
  waves: number;
  byPort: Map<number, number>;
  byCommand: Map<string, number>;
}
const newCounter = (): Counter => ({ writes: 0, commands: 0, waves: 0, byPort: new Map(), byCommand: new Map() });
let counter: Counter | undefined;
let waveOpen = false;

function installCounter(): void {
  const proto = Redis.prototype as unknown as { sendCommand: (this: Redis, command: { name: string }, stream?: { isPipeline?: boolean }) => unknown };
  const original = proto.sendCommand;
  const seenCommands = new WeakSet<object>();
  const seenPipelines = new WeakSet<object>();
  proto.sendCommand = function (command, stream) {
    const c = counter;
    if (c && !seenCommands.has(command)) {
      seenCommands.add(command);
      c.commands++;
      c.byCommand.set(command.name, (c.byCommand.get(command.name) ?? 0) + 1);
      const pipelineStream = stream?.isPipeline ? stream : undefined;
      if (!pipelineStream || !seenPipelines.has(pipelineStream)) {
        if (pipelineStream) seenPipelines.add(pipelineStream);
        c.writes++;
        const port = Number(this.options.port);
        c.byPort.set(port, (c.byPort.get(port) ?? 0) + 1);
        if (!waveOpen) {
          waveOpen = true;
          c.waves++;
          setImmediate(() => (waveOpen = false));
        }
      }
    }
    return original.apply(this, [command, stream]);
  };
}

// --- the cluster --------------------------------------------------------------

interface StartedCluster {
  nodes: string;
  stop(): Promise<void>;
}

function runServices(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'services.mjs'), ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`services.mjs ${args.join(' ')} did not finish in ${SERVICES_TIMEOUT_MS} ms`));
    }, SERVICES_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`services.mjs ${args.join(' ')} exited ${code}`));
    });
  });
}

async function startCluster(appendfsync: string): Promise<StartedCluster> {
  const given = process.env.TAKEDOWN_BENCH_CLUSTER_NODES;
  if (given) return { nodes: given, stop: async () => undefined };
  const dataDir = path.resolve(ROOT, process.env.TAKEDOWN_BENCH_CLUSTER_DATA_DIR ?? path.join('.data', 'bench-cluster'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The cluster only: REDIS_URL must not make services.mjs think a Redis is given, and the
    // single-node ports are moved off the shared ones so nothing of theirs is ever touched.
    REDIS_URL: '',
    REDIS_CLUSTER_NODES: '',
    TAKEDOWN_DATA_DIR: dataDir,
    TAKEDOWN_REDIS_CLUSTER_PORT: process.env.TAKEDOWN_BENCH_CLUSTER_PORT ?? '7700',
    TAKEDOWN_REDIS_PORT: process.env.TAKEDOWN_BENCH_CLUSTER_SPARE_REDIS_PORT ?? '7799',
    TAKEDOWN_ES_PORT: process.env.TAKEDOWN_BENCH_CLUSTER_SPARE_ES_PORT ?? '9790',
    TAKEDOWN_ES_TRANSPORT_PORT: process.env.TAKEDOWN_BENCH_CLUSTER_SPARE_ES_TRANSPORT_PORT ?? '9890',
    // Reused, never started: services.mjs starts no Elasticsearch when ELASTICSEARCH_URL answers.
    ELASTICSEARCH_URL: process.env.ELASTICSEARCH_URL ?? '',
    // Same durability as the single Redis it is compared with.
    TAKEDOWN_REDIS_APPENDFSYNC: appendfsync,
  };
  if (!env.ELASTICSEARCH_URL) throw new Error('ELASTICSEARCH_URL must name a running Elasticsearch (services.mjs up wants one; the bench does not use it)');
  // A fresh cluster each run: a leftover of a crashed run is stopped and its data removed.
  if (fs.existsSync(path.join(dataDir, 'services.json'))) await runServices(['down'], env);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const t0 = performance.now();
  await runServices(['up', '--redis-cluster'], env);
  const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'services.json'), 'utf8')) as { redisCluster: { nodesList: string } };
  console.log(`Redis Cluster started in ${((performance.now() - t0) / 1000).toFixed(1)} s (${state.redisCluster.nodesList}, AOF appendfsync ${appendfsync})`);
  return {
    nodes: state.redisCluster.nodesList,
    async stop() {
      await runServices(['down'], env);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// --- workloads -----------------------------------------------------------------

function report(tag: string, i: number, now: Date): ReportJob {
  // Every fourth report is about the content of the report before it.
  const n = i % 4 === 3 ? i - 1 : i;
  return {
    reportId: `${tag}-r${i}`,
    receivedAt: now.toISOString(),
    content: { id: `${tag}-post-${n}`, type: 'post', text: 'selling cocaine', authorId: `a${n % 97}` },
    reporter: { type: 'user', id: `u${i % 89}` },
    reason: 'drugs',
  };
}

/** The triage worker's Redis path for one report: fold as new, on conflict fold again at the case's revision. */
async function triageOne(store: CaseStore, r: ReportJob, now: Date): Promise<'new' | 'folded' | 'duplicate'> {
  const caseId = caseIdFor(r.content.id);
  let existing: CaseRecord | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const reportCount = (existing?.reportCount ?? 0) + 1;
    const firstReportedAt = existing?.firstReportedAt ?? r.receivedAt;
    const priority = casePriority({ category: 'drugs', reporterTypes: ['user'], reportCount, liveRuleHits: 0, autoRemoveHit: false, firstReportedAt: new Date(firstReportedAt), now });
    const out = await store.fold({
      caseId,
      report: r,
      expectedRev: existing?.rev ?? 0,
      fields: { id: caseId, contentId: r.content.id, lane: 'default', priority, category: 'drugs', content: r.content, reportCount, reporterTypes: ['user'], ruleHits: [], firstReportedAt, lastReportedAt: r.receivedAt },
      mode: existing ? 'requeue-score' : 'enqueue',
      score: laneScore(priority, new Date(firstReportedAt)),
      now,
      audit: { type: 'report.received', actor: `user:${r.reporter.id ?? 'anonymous'}`, at: now.toISOString(), caseId, contentId: r.content.id },
    });
    if (out.result === 'folded') return existing ? 'folded' : 'new';
    if (out.result === 'duplicate') return 'duplicate';
    existing = out.current;
  }
  throw new Error(`report ${r.reportId}: fold kept conflicting`);
}

/** `workers` loops taking items 0..n-1 in turn. */
async function pool(workers: number, n: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return (performance.now() - t0) / 1000;
}

interface PerOp {
  /** Sequential round trips (latency), measured one operation at a time. */
  waves: number;
  /** Socket writes (a pipeline to one node, or one command) per operation. */
  writes: number;
  commands: number;
}

interface TargetResult {
  triagePerSec: number;
  claimPerSec: number;
  cases: number;
  claimed: number;
  doubleClaims: number;
  triageRoundTrips: { newCase: PerOp; repeat: PerOp; underLoad: Omit<PerOp, 'waves'> };
  claimRoundTrips: { sequential: PerOp; underLoad: Omit<PerOp, 'waves'> };
  /** Commands executed per master during the loaded phases (cluster: INFO commandstats deltas; single: the client's count, the shared server has other clients). */
  commandsPerNode: Record<string, number>;
}

const perOp = (c: Counter, ops: number): PerOp => ({ waves: round(c.waves / ops), writes: round(c.writes / ops), commands: round(c.commands / ops) });
/** With many operations in flight, writes of different operations share a turn: only writes and commands mean anything. */
const perOpLoaded = (c: Counter, ops: number): Omit<PerOp, 'waves'> => ({ writes: round(c.writes / ops), commands: round(c.commands / ops) });

async function measure<T>(fn: () => Promise<T>): Promise<{ value: T; counter: Counter }> {
  const c = newCounter();
  counter = c;
  try {
    return { value: await fn(), counter: c };
  } finally {
    counter = undefined;
  }
}

/** Commands executed by each master, from INFO commandstats (our own INFO, and replication/cluster housekeeping, left out). */
async function serverCommands(client: RedisClient): Promise<Map<string, number>> {
  const nodes = isCluster(client) ? client.nodes('master') : [client];
  const out = new Map<string, number>();
  await Promise.all(
    nodes.map(async (n) => {
      const info = await n.info('commandstats');
      let calls = 0;
      for (const m of info.matchAll(/^cmdstat_([a-z|_-]+):calls=(\d+)/gm)) {
        if (!['info', 'replconf', 'ping', 'cluster', 'psync', 'sync', 'command'].includes(m[1] as string)) calls += Number(m[2]);
      }
      out.set(`${n.options.host}:${n.options.port}`, calls);
    }),
  );
  return out;
}

async function runTarget(client: RedisClient, keys: ModerationKeys, tag: string): Promise<TargetResult> {
  const store = new CaseStore(client, keys, 600_000);
  const now = new Date();
  // Warm-up: connections to every node open and every script loaded (EVAL once per connection), so the counts below are the steady state.
  for (let i = 0; i < 8; i++) await triageOne(store, report(`${tag}-warm`, i, now), now);
  while (await store.claim('default', 'bench:warm', now)) {}

  // Round trips, one operation at a time: new cases, then repeats, then claims.
  const seqNew = await measure(async () => {
    for (let i = 0; i < SEQUENTIAL; i++) await triageOne(store, report(`${tag}-seq`, i * 4, now), now);
  });
  const seqRepeat = await measure(async () => {
    for (let i = 0; i < SEQUENTIAL; i++) await triageOne(store, { ...report(`${tag}-seq`, i * 4, now), reportId: `${tag}-seq-again-${i}` }, now);
  });
  const seqClaim = await measure(async () => {
    for (let i = 0; i < SEQUENTIAL; i++) if (!(await store.claim('default', `bench:seq${i}`, now))) throw new Error('sequential claim found the lane empty');
  });

  const before = isCluster(client) ? await serverCommands(client) : undefined;
  const triage = await measure(() => pool(CONCURRENCY, REPORTS, async (i) => void (await triageOne(store, report(tag, i, now), now))));
  const cases = REPORTS - Math.floor(REPORTS / 4);
  const claimed: string[] = [];
  // Each moderator claims until the lane is empty for them (one empty-handed claim each at the end).
  const claim = await measure(async () => {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, m) => {
        for (let c = await store.claim('default', `bench:mod${m}`, now); c; c = await store.claim('default', `bench:mod${m}`, now)) claimed.push(c.case.id);
      }),
    );
    return (performance.now() - t0) / 1000;
  });
  const after = isCluster(client) ? await serverCommands(client) : undefined;
  const commandsPerNode: Record<string, number> = {};
  if (before && after) for (const [node, calls] of after) commandsPerNode[node] = calls - (before.get(node) ?? 0);
  else commandsPerNode['single'] = triage.counter.commands + claim.counter.commands;
  return {
    triagePerSec: round(REPORTS / triage.value, 0),
    claimPerSec: round(claimed.length / claim.value, 0),
    cases,
    claimed: claimed.length,
    doubleClaims: claimed.length - new Set(claimed).size,
    triageRoundTrips: { newCase: perOp(seqNew.counter, SEQUENTIAL), repeat: perOp(seqRepeat.counter, SEQUENTIAL), underLoad: perOpLoaded(triage.counter, REPORTS) },
    // Under load: every claim, the final empty-handed ones included (one per moderator).
    claimRoundTrips: { sequential: perOp(seqClaim.counter, SEQUENTIAL), underLoad: perOpLoaded(claim.counter, claimed.length + CONCURRENCY) },
    commandsPerNode,
  };

}

// --- key distribution ----------------------------------------------------------

interface Distribution {
  masters: { node: string; slots: string; keys: number; cases: number; caseShards: string[]; queues: string[] }[];
  /** Hash tags in use and their slots: every tag is one slot. */
  tags: { tag: string; slot: number; node: string; keys: number }[];
  evenness: { keysMinOverMax: number; casesMinOverMax: number; shardsMinOverMax: number };
  /** Where the case shards and queues of the deployed prefix `{takedown}` would sit, by master port. */
  deployedPrefix: { port: number; shards: number; tags: string[] }[];
}

/** Adds a few jobs to every catalog queue (each its own hash tag), then reads where every bench key is: SCAN on each master. */
async function distribution(client: RedisClient, prefix: string, shardCount: number): Promise<Distribution> {
  if (!isCluster(client)) throw new Error('distribution: a cluster client is needed');
  for (const name of QUEUE_NAMES) {
    const q = new Queue(name, { connection: client, prefix: queuePrefixFor(`{${prefix}}`, name) });
    await q.addBulk(Array.from({ length: JOBS_PER_QUEUE }, (_, i) => ({ name, data: { bench: i }, opts: { jobId: `bench-${i}` } })));
    await q.close();
  }
  const masters = client.nodes('master');
  const tagKeys = new Map<string, { node: string; keys: number }>();
  const out: Distribution['masters'] = [];
  // The slot ranges each master owns, as CLUSTER SLOTS says.
  const slotRanges = await client.cluster('SLOTS');
  for (const m of masters) {
    const node = `${m.options.host}:${m.options.port}`;
    let keys = 0;
    let cases = 0;
    let cursor = '0';
    do {
      const [next, batch] = await m.scan(cursor, 'MATCH', `{${prefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const k of batch) {
        keys++;
        // A case's hash, not its reports/decisions lists.
        if (/:mod:case:[^:]+$/.test(k)) cases++;
        const tag = hashTagOf(k);
        const t = tagKeys.get(tag) ?? { node, keys: 0 };
        t.keys++;
        tagKeys.set(tag, t);
      }
    } while (cursor !== '0');
    const slots = slotRanges.filter((r) => r[2]?.[1] === Number(m.options.port)).map((r) => `${r[0]}-${r[1]}`).join(',');
    out.push({ node, slots, keys, cases, caseShards: [], queues: [] });
  }
  const tags: Distribution['tags'] = [];
  for (const [tag, t] of [...tagKeys].sort((a, b) => a[0].localeCompare(b[0]))) {
    const slot = Number(await client.call('CLUSTER', 'KEYSLOT', tag));
    tags.push({ tag, slot, node: t.node, keys: t.keys });
    const m = out.find((o) => o.node === t.node);
    const suffix = tag.slice(prefix.length + 1);
    // A shard's tag is its label, with a numeric suffix when that spreads it better (`s07`, `s07.12`).
    if (m && /^s\d+(\.\d+)?$/.test(suffix)) m.caseShards.push(suffix);
    else if (m && (QUEUE_NAMES as readonly string[]).includes(suffix)) m.queues.push(suffix);
  }
  const ratio = (xs: number[]) => round(Math.min(...xs) / Math.max(...xs));
  // The deployed `{takedown}` prefix's split on the same slot map, from the tags its keys really carry.
  const ownerOf = (slot: number) => slotRanges.find((r) => r[0] <= slot && slot <= r[1])?.[2]?.[1];
  const deployed = new Map<number, string[]>();
  const shardTags = moderationKeys('{takedown}', shardCount).shards.map((sh) => hashTagOf(sh.leases).slice('takedown:'.length));
  for (const suffix of [...shardTags, ...QUEUE_NAMES]) {
    const port = ownerOf(Number(await client.call('CLUSTER', 'KEYSLOT', `takedown:${suffix}`))) ?? 0;
    deployed.set(port, [...(deployed.get(port) ?? []), suffix]);
  }
  return {
    deployedPrefix: [...deployed].sort((a, b) => a[0] - b[0]).map(([port, tags]) => ({ port, shards: tags.filter((t) => /^s\d+(\.\d+)?$/.test(t)).length, tags })),
    masters: out,
    tags,
    evenness: { keysMinOverMax: ratio(out.map((o) => o.keys)), casesMinOverMax: ratio(out.map((o) => o.cases)), shardsMinOverMax: ratio(out.map((o) => o.caseShards.length)) },
  };
}

async function deleteKeys(client: RedisClient, prefix: string): Promise<void> {
  for (const node of isCluster(client) ? client.nodes('master') : [client]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `{${prefix}*`, 'COUNT', 5000);
      cursor = next;
      // One key per DEL: on a cluster the keys of a batch span slots.
      if (keys.length > 0) await Promise.all(keys.map((k) => node.del(k)));
    } while (cursor !== '0');
  }
}

// --- main ------------------------------------------------------------------------

async function main(): Promise<void> {
  const prefix = `bench-cluster-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn', REDIS_CLUSTER_NODES: '', TAKEDOWN_QUEUE_PREFIX: `{${prefix}}` });
  const singleTarget: RedisTarget = redisTarget({ url: config.redis.url, clusterNodes: [] });
  const clientOptions = (name: string) => ({ connectionName: `bench:cluster:${name}`, commandTimeoutMs: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 });
  const single = createRedisClient(singleTarget, clientOptions('single'));
  const appendfsync = ((await single.config('GET', 'appendfsync')) as string[])[1] ?? 'always';
  const keys = moderationKeys(`{${prefix}}`, config.caseShards);
  installCounter();
  const started = await startCluster(appendfsync);
  const seeds = started.nodes.split(',').map((n) => {
    const [host, port] = n.trim().split(':');
    return { host: host ?? '127.0.0.1', port: Number(port) };
  });
  const cluster = createRedisClient({ mode: 'cluster', nodes: seeds, tls: false }, clientOptions('cluster'));
  try {
    console.log(`${REPORTS} reports (${REPORTS - Math.floor(REPORTS / 4)} cases) then claims, ${CONCURRENCY} at a time; ${config.caseShards} case shards; round trips over ${SEQUENTIAL} sequential ops; appendfsync ${appendfsync}`);
    const s = await runTarget(single, keys, 'single');
    console.log(`single : triage ${s.triagePerSec} reports/s, claim ${s.claimPerSec} claims/s (${s.claimed}/${s.cases}, ${s.doubleClaims} double)`);
    const c = await runTarget(cluster, keys, 'cluster');
    console.log(`cluster: triage ${c.triagePerSec} reports/s, claim ${c.claimPerSec} claims/s (${c.claimed}/${c.cases}, ${c.doubleClaims} double)`);
    const ratios = { triage: round(c.triagePerSec / s.triagePerSec), claim: round(c.claimPerSec / s.claimPerSec) };
    console.log(`cluster÷single: triage ${ratios.triage}, claim ${ratios.claim}`);
    const rt = (p: PerOp) => `${p.waves} sequential / ${p.writes} writes / ${p.commands} commands`;
    for (const [name, r] of [['single', s], ['cluster', c]] as const) {
      console.log(`${name} round trips per op: triage new case ${rt(r.triageRoundTrips.newCase)}; repeat ${rt(r.triageRoundTrips.repeat)}; claim ${rt(r.claimRoundTrips.sequential)}`);
      console.log(`${name} under load (${CONCURRENCY} at a time): triage ${r.triageRoundTrips.underLoad.writes} writes / ${r.triageRoundTrips.underLoad.commands} commands; claim ${r.claimRoundTrips.underLoad.writes} writes / ${r.claimRoundTrips.underLoad.commands} commands`);
    }
    const perNode = Object.values(c.commandsPerNode);
    console.log(`cluster commands per master (loaded phases, INFO commandstats): ${Object.entries(c.commandsPerNode).map(([n, k]) => `${n} ${k}`).join(', ')}; min/max ${round(Math.min(...perNode) / Math.max(...perNode))}`);
    const d = await distribution(cluster, prefix, config.caseShards);
    for (const m of d.masters) console.log(`master ${m.node} (slots ${m.slots}): ${m.keys} keys, ${m.cases} case hashes, shards [${m.caseShards.join(' ')}], queues [${m.queues.join(' ')}]`);
    console.log(`hash tags → slots: ${d.tags.map((t) => `${t.tag.slice(prefix.length + 1) || '(base)'}=${t.slot}`).join(' ')}`);
    console.log(`evenness (min/max over masters): keys ${d.evenness.keysMinOverMax}, case hashes ${d.evenness.casesMinOverMax}, case shards ${d.evenness.shardsMinOverMax}`);
    console.log(`the deployed prefix {takedown} on the same slot map: ${d.deployedPrefix.map((p) => `:${p.port} ${p.shards} shards [${p.tags.join(' ')}]`).join('; ')}`);
    console.log(
      JSON.stringify({
        bench: 'cluster',
        reports: REPORTS,
        concurrency: CONCURRENCY,
        caseShards: config.caseShards,
        appendfsync,
        ratios,
        single: s,
        cluster: c,
        distribution: { masters: d.masters, evenness: d.evenness, deployedPrefix: d.deployedPrefix, slotsUsed: new Set(d.tags.map((t) => t.slot)).size, tags: d.tags.length },
      }),
    );
  } finally {
    await deleteKeys(single, prefix).catch((err: unknown) => console.error('cleanup of the single Redis failed', err));
    if (process.env.TAKEDOWN_BENCH_CLUSTER_NODES) await deleteKeys(cluster, prefix).catch((err: unknown) => console.error('cleanup of the cluster failed', err));
    await closeRedisClient(cluster);
    await closeRedisClient(single);
    await started.stop();
  }
}

runBench(main);
