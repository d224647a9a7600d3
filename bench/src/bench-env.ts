import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { request, type Agent } from 'node:http';
import { createElasticsearch, createLogger, createRedis, loadConfig, type CoreConfig, type ElasticsearchClient, type Redis } from '@takedown/shared';

/** An isolated prefix on the real servers for one benchmark run, removed at the end. */
export interface BenchEnv {
  config: CoreConfig;
  redis: Redis;
  es: ElasticsearchClient;
  logger: ReturnType<typeof createLogger>;
  cleanup(): Promise<void>;
}

export function benchEnv(name: string): BenchEnv {
  const prefix = `bench-${name}-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    TAKEDOWN_INDEX_PREFIX: prefix,
    TAKEDOWN_CONTENT_INDEX: `${prefix}-content`,
    TAKEDOWN_QUEUE_PREFIX: `{${prefix}}`,
  });
  const redis = createRedis(config.redis.url, { connectionName: `bench:${name}` });
  const es = createElasticsearch(config.elasticsearch);
  return {
    config,
    redis,
    es,
    logger: createLogger({ name: `bench-${name}`, level: 'warn' }),
    async cleanup() {
      const indices = Object.keys(await es.indices.get({ index: `${prefix}*`, expand_wildcards: 'all' }).catch(() => ({})));
      if (indices.length > 0) await es.indices.delete({ index: indices.join(',') });
      let cursor = '0';
      do {
        // `{prefix*`: moderation and rulesets ({prefix}), each queue's own tag ({prefix:reports}), the case shards ({prefix:s07}).
        const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}*`, 'COUNT', 5000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      await es.close();
    },
  };
}

/**
 * The API's per-token rate limits are off in the processes benchmarks start:
 * a bench fires far more claims and reports per token than a person would,
 * and measures throughput, not the limiter.
 */
export const BENCH_RATE_LIMITS_OFF = { TAKEDOWN_RATE_INTAKE_POINTS: '0', TAKEDOWN_RATE_CLAIM_POINTS: '0' } as const;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** The median (the mean of the middle two for an even count); 0 for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[s.length >> 1] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** One timed HTTP request over a keep-alive agent (JSON body in, text body out). */
export function timedRequest(
  agent: Agent,
  port: number,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
    };
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** POSTs an NDJSON body (a _bulk) over a keep-alive agent; `auth` is the Authorization header, if any. */
export function postNdjson(agent: Agent, target: { host: string; port: number; auth?: string }, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/x-ndjson', 'content-length': Buffer.byteLength(body), ...(target.auth ? { authorization: target.auth } : {}) };
    const req = request({ host: target.host, port: target.port, method: 'POST', path, agent, headers }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A reader of the CPU the Redis and Elasticsearch servers have used so far,
 * in µs, to difference around a measured stretch. From /proc when they run
 * on this machine: their own counters (INFO cpu, node stats) lag, the
 * node's by a second or more, longer than a short stretch. Else from those
 * counters. Either way the whole server's CPU: an upper bound when shared.
 */
export async function serverCpuReader(redis: Redis, es: ElasticsearchClient): Promise<() => Promise<{ redisUs: number; elasticsearchUs: number }>> {
  const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
  const procUs = (pid: number | undefined): number | undefined => {
    if (pid === undefined || !Number.isInteger(pid) || !existsSync(`/proc/${pid}/stat`)) return undefined;
    // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return ((Number(f[11]) + Number(f[12])) / ticks) * 1e6;
  };
  const redisPid = Number(/^process_id:(\d+)/m.exec(await redis.info('server'))?.[1]);
  const esPids = Object.values((await es.nodes.info({ metric: 'process' })).nodes).map((n) => n.process?.id);
  const redisLocal = procUs(redisPid) !== undefined;
  const esLocal = esPids.length > 0 && esPids.every((pid) => procUs(pid) !== undefined);
  return async () => {
    let redisUs = 0;
    if (redisLocal) redisUs = procUs(redisPid) ?? 0;
    else {
      const info = await redis.info('cpu');
      const v = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
      redisUs = (v('used_cpu_user') + v('used_cpu_sys')) * 1e6;
    }
    const elasticsearchUs = esLocal
      ? esPids.reduce((sum: number, pid) => sum + (procUs(pid) ?? 0), 0)
      : Object.values((await es.nodes.stats({ metric: 'process' })).nodes).reduce((sum, n) => sum + (n.process?.cpu?.total_in_millis ?? 0), 0) * 1000;
    return { redisUs, elasticsearchUs };
  };
}

/**
 * A closed-loop load: `concurrency` callers issue `total` requests in all,
 * each starting the next as soon as its last answered; `one(i)` makes
 * request i and resolves to its latency in ms. Throughput and percentiles.
 */
export async function closedLoop(concurrency: number, total: number, one: (i: number) => Promise<number>): Promise<{ perSec: number; p50: number; p99: number }> {
  const ms: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) ms.push(await one(next++));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  ms.sort((a, b) => a - b);
  return { perSec: total / seconds, p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

/** Stops child processes (SIGTERM) and waits until each has exited. */
export async function stopChildren(children: readonly ChildProcess[]): Promise<void> {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
}

/** Runs a benchmark's main, printing any failure and exiting non-zero. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

/** Sends `msg` to a child's cpu-probe (cpu-probe.ts) and resolves to its answer. */
export function askProbe<T>(child: ChildProcess, msg: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the child did not answer the cpu probe')), 30_000);
    child.once('message', (m: T) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.send(msg as string);
  });
}

/** A child's own process.cpuUsage() in ms (user + system), asked over IPC (started with `cpuReport`). */
export function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      const cpu = (m as { cpu?: { user: number; system: number } } | null)?.cpu;
      if (!cpu) return;
      child.off('message', onMessage);
      resolve((cpu.user + cpu.system) / 1000);
    };
    child.on('message', onMessage);
    if (!child.send('cpu')) reject(new Error('the child has no IPC channel (start it with cpuReport)'));
  });
}

/** The API, workers and search service a benchmark runs as their own processes, as deployed, on its prefix and two ports. */
export interface ServiceProcesses {
  apiPort: number;
  searchPort: number;
  children: ChildProcess[];
  /**
   * Starts `rel` (a dist/main.js under the repository) with the bench's
   * environment. `cpuReport`: the child answers cpuUsage() (see cpuOf);
   * `execArgv`: extra node flags (e.g. --cpu-prof); `env`: added to the bench's environment.
   */
  start(rel: string, opts?: { cpuReport?: boolean; execArgv?: string[]; env?: Record<string, string> }): ChildProcess;
  /** Waits until `port` answers /healthz. */
  waitUp(port: number, agent: Agent): Promise<void>;
}

export function serviceProcesses(config: CoreConfig, basePort: number): ServiceProcesses {
  const root = path.join(__dirname, '..', '..');
  const apiPort = basePort;
  const searchPort = basePort + 1;
  const childEnv = {
    ...BENCH_RATE_LIMITS_OFF,
    ...process.env,
    LOG_LEVEL: 'warn',
    TAKEDOWN_INDEX_PREFIX: config.indexPrefix,
    TAKEDOWN_CONTENT_INDEX: config.contentIndex,
    TAKEDOWN_QUEUE_PREFIX: config.queuePrefix,
    TAKEDOWN_API_PORT: String(apiPort),
    TAKEDOWN_API_HOST: '127.0.0.1',
    TAKEDOWN_SEARCH_PORT: String(searchPort),
    TAKEDOWN_SEARCH_HOST: '127.0.0.1',
    // The workers' metrics on any free local port, so a bench never fights a running `npm start` over the defaults.
    ...Object.fromEntries(['TRIAGE', 'ACTIONS', 'BACKFILL', 'LEGAL', 'DSA_SUBMITTER'].flatMap((w) => [[`TAKEDOWN_${w}_METRICS_PORT`, '0'], [`TAKEDOWN_${w}_METRICS_HOST`, '127.0.0.1']])),
  };
  const children: ChildProcess[] = [];
  return {
    apiPort,
    searchPort,
    children,
    start(rel, opts = {}) {
      const preload = opts.cpuReport ? ['-r', path.join(__dirname, 'cpu-probe.js')] : [];
      const c = spawn(process.execPath, [...(opts.execArgv ?? []), ...preload, path.join(root, rel)], { env: { ...childEnv, ...opts.env }, stdio: ['ignore', 'inherit', 'inherit', ...(opts.cpuReport ? (['ipc'] as const) : [])] });
      children.push(c);
      return c;
    },
    async waitUp(port, agent) {
      for (let i = 0; i < 300; i++) {
        if ((await timedRequest(agent, port, 'GET', '/healthz', undefined).catch(() => ({ status: 0 }))).status === 200) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`port ${port} did not come up`);
    },
  };
}
