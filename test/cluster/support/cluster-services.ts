/**
 * The cluster suite's servers (`npm run test:cluster`): a six-node Redis
 * Cluster and a three-node Elasticsearch, started through the same script as
 * `npm run services:up -- --redis-cluster --es-nodes 3` (scripts/services.mjs)
 * on ports and a data directory of their own, so a test can kill and restart
 * single nodes without touching a developer's, CI's or another suite's
 * servers. Started once per run by ./global-setup.ts, stopped by
 * ./global-teardown.ts; a test file reaches them with `clusterServices()`.
 *
 * Also a standalone Redis (not a cluster): the services read REDIS_URL until
 * REDIS_CLUSTER_NODES lands in config, so the Elasticsearch failover tests
 * run the real services on it and on the three-node Elasticsearch.
 *
 * Ports (each overridable):
 *   TAKEDOWN_CLUSTER_REDIS_PORT  7100  (cluster nodes 7100-7105, bus 17100-17105)
 *   TAKEDOWN_CLUSTER_ES_PORT     9320  (http 9320-9322)
 *   TAKEDOWN_CLUSTER_ES_TRANSPORT_PORT 9420 (transport 9420-9422)
 *   TAKEDOWN_CLUSTER_STANDALONE_REDIS_PORT 7199
 * Data under .data/cluster (TAKEDOWN_CLUSTER_DATA_DIR), wiped at the start of each run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'services.mjs');

export interface RedisClusterNode {
  host: string;
  port: number;
  pid: number;
}

export interface EsNode {
  /** node.name, e.g. takedown-es-1 */
  name: string;
  url: string;
  httpPort: number;
  transportPort: number;
  pid: number;
}

interface StateFile {
  redisCluster: { nodesList: string; nodes: { port: number; pid: number }[] };
  elasticsearch: { url: string; nodes: EsNode[] };
}

export interface ClusterServices {
  /** The cluster's nodes, as REDIS_CLUSTER_NODES spells them: `127.0.0.1:7100,…`. */
  redisClusterNodes: string;
  /** The same, one entry per node (index = position in REDIS_CLUSTER_NODES). */
  redisNodes: RedisClusterNode[];
  /** A standalone Redis for the services that do not take a cluster yet. */
  standaloneRedisUrl: string;
  /** Every Elasticsearch node, comma-separated, as ELASTICSEARCH_URL takes them. */
  elasticsearchUrl: string;
  esNodes: EsNode[];
  /** Sends a signal to Redis Cluster node `i` (SIGKILL, SIGSTOP, SIGCONT, SIGTERM). */
  signalRedisNode(i: number, sig: NodeJS.Signals): void;
  /** Sends a signal to Elasticsearch node `i`. */
  signalEsNode(i: number, sig: NodeJS.Signals): void;
  /** The index of the Elasticsearch node with this node.name. */
  esNodeIndex(name: string): number;
  /**
   * Starts every node that is not running again, on the same ports and data
   * (a Redis node rejoins from nodes.conf and its AOF, an Elasticsearch node
   * from its data dir), and waits until the Redis Cluster is ok with every
   * replica synced and Elasticsearch has all its nodes and is yellow or green.
   */
  restart(): Promise<void>;
  /** Stops every server of the suite. */
  stop(): Promise<void>;
}

function envFor(dataDir: string): NodeJS.ProcessEnv {
  const e = process.env;
  return {
    ...e,
    REDIS_URL: '',
    ELASTICSEARCH_URL: '',
    TAKEDOWN_DATA_DIR: dataDir,
    TAKEDOWN_REDIS_CLUSTER_PORT: e.TAKEDOWN_CLUSTER_REDIS_PORT ?? '7100',
    TAKEDOWN_ES_PORT: e.TAKEDOWN_CLUSTER_ES_PORT ?? '9320',
    TAKEDOWN_ES_TRANSPORT_PORT: e.TAKEDOWN_CLUSTER_ES_TRANSPORT_PORT ?? '9420',
    TAKEDOWN_ES_HEAP: e.TAKEDOWN_CLUSTER_ES_HEAP ?? '512m',
    // The single node's default: acknowledged means on disk.
    TAKEDOWN_REDIS_APPENDFSYNC: e.TAKEDOWN_REDIS_APPENDFSYNC ?? 'always',
  };
}

/** Runs `services.mjs` as its own process (jest's module sandbox cannot import an ES module); rejects on a non-zero exit or after `timeoutMs`. */
function runServices(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 400_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`services.mjs ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
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

function dataDirs(): { cluster: string; standalone: string } {
  const base = path.resolve(ROOT, process.env.TAKEDOWN_CLUSTER_DATA_DIR ?? path.join('.data', 'cluster'));
  return { cluster: path.join(base, 'cluster'), standalone: path.join(base, 'standalone') };
}

const UP_ARGS = ['up', '--redis-cluster', '--es-nodes', '3'];

/** Starts the suite's clusters on fresh data (what global-setup calls once per run). */
export async function startClusterServices(): Promise<ClusterServices> {
  const dirs = dataDirs();
  // A run starts from empty clusters; a leftover from a crashed run is stopped first.
  for (const dir of [dirs.cluster, dirs.standalone]) {
    if (fs.existsSync(path.join(dir, 'services.json'))) await runServices(['down'], envFor(dir));
  }
  fs.rmSync(path.dirname(dirs.cluster), { recursive: true, force: true });
  await runServices(UP_ARGS, envFor(dirs.cluster));
  const cluster = JSON.parse(fs.readFileSync(path.join(dirs.cluster, 'services.json'), 'utf8')) as StateFile;
  // The standalone Redis; ELASTICSEARCH_URL names the cluster, so this call starts no Elasticsearch.
  await runServices(['up'], {
    ...envFor(dirs.standalone),
    TAKEDOWN_REDIS_PORT: process.env.TAKEDOWN_CLUSTER_STANDALONE_REDIS_PORT ?? '7199',
    ELASTICSEARCH_URL: cluster.elasticsearch.url,
  });
  return clusterServices();
}

/** The servers global-setup started, read back from what services.mjs recorded. */
export function clusterServices(): ClusterServices {
  const dirs = dataDirs();
  const read = <T>(dir: string): T => JSON.parse(fs.readFileSync(path.join(dir, 'services.json'), 'utf8')) as T;
  let state = read<StateFile>(dirs.cluster);
  const standalone = read<{ redis: { url: string } }>(dirs.standalone);
  const redisNodes = () => state.redisCluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port, pid: n.pid }));
  const at = <T>(list: T[], i: number, what: string): T => {
    const v = list[i];
    if (v === undefined) throw new Error(`no ${what} ${i} (there are ${list.length})`);
    return v;
  };
  const handle: ClusterServices = {
    redisClusterNodes: state.redisCluster.nodesList,
    redisNodes: redisNodes(),
    standaloneRedisUrl: standalone.redis.url,
    elasticsearchUrl: state.elasticsearch.url,
    esNodes: state.elasticsearch.nodes,
    signalRedisNode(i, sig) {
      process.kill(at(state.redisCluster.nodes, i, 'Redis node').pid, sig);
    },
    signalEsNode(i, sig) {
      process.kill(at(state.elasticsearch.nodes, i, 'Elasticsearch node').pid, sig);
    },
    esNodeIndex(name) {
      const i = state.elasticsearch.nodes.findIndex((n) => n.name === name);
      if (i < 0) throw new Error(`no Elasticsearch node named ${name}`);
      return i;
    },
    async restart() {
      // A stopped (SIGSTOP) node looks alive to services.mjs but answers nothing: wake every node first.
      for (const n of [...state.redisCluster.nodes, ...state.elasticsearch.nodes]) {
        try {
          process.kill(n.pid, 'SIGCONT');
        } catch {}
      }
      await runServices(UP_ARGS, envFor(dirs.cluster));
      state = read<StateFile>(dirs.cluster);
      handle.redisNodes = redisNodes();
      handle.esNodes = state.elasticsearch.nodes;
    },
    async stop() {
      await runServices(['down'], envFor(dirs.standalone));
      await runServices(['down'], envFor(dirs.cluster));
    },
  };
  return handle;
}
