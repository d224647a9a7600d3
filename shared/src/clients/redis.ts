import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { ConfigError } from '../errors/takedown-error';

export { Redis, Cluster };

/**
 * "A Redis client" for everything that is not pinned to one node: a single
 * ioredis `Redis` or a Redis Cluster client. Both are ioredis Commanders with
 * the same command methods, pipelines, transactions and pub/sub events, so
 * code written against the union runs on either; what differs (routing of
 * keyless commands, WAIT, SCAN) is handled where it matters.
 */
export type RedisClient = Redis | Cluster;

/** Where Redis is: one node (a URL) or a cluster (seed nodes; the rest are discovered). */
export type RedisTarget =
  | { readonly mode: 'single'; readonly url: string }
  | {
      readonly mode: 'cluster';
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

/** The config section every process has (REDIS_URL, REDIS_CLUSTER_NODES). */
export interface RedisConfig {
  readonly url: string;
  readonly clusterNodes: readonly string[];
}

const CLUSTER_SCHEMES = ['redis+cluster:', 'rediss+cluster:'];

/**
 * Which Redis the config names. Precedence:
 *  1. REDIS_CLUSTER_NODES non-empty: a cluster seeded from those host:port
 *     pairs. REDIS_URL then only lends its credentials and TLS (`rediss://`);
 *     its host is ignored. A `redis+cluster://` REDIS_URL at the same time is
 *     refused as ambiguous.
 *  2. REDIS_URL `redis+cluster://[user:pass@]host:port,host:port` (or
 *     `rediss+cluster://` for TLS): a cluster seeded from the hosts.
 *  3. Otherwise REDIS_URL (`redis://` or `rediss://`) is one node.
 * Throws a ConfigError naming the variable; never echoes REDIS_URL (it may
 * carry a password).
 */
export function redisTarget(config: RedisConfig): RedisTarget {
  const url = config.url.trim();
  const scheme = /^([a-z+]+:)\/\//i.exec(url)?.[1]?.toLowerCase();
  const isClusterUrl = scheme !== undefined && CLUSTER_SCHEMES.includes(scheme);
  if (config.clusterNodes.length > 0) {
    if (isClusterUrl) throw new ConfigError('REDIS_CLUSTER_NODES and a redis+cluster:// REDIS_URL are both set; set one', 'REDIS_CLUSTER_NODES');
    const auth = scheme === 'redis:' || scheme === 'rediss:' ? credentialsOf(url, 'REDIS_URL') : { tls: false };
    return { mode: 'cluster', nodes: config.clusterNodes.map((n) => hostPort(n, 'REDIS_CLUSTER_NODES')), ...auth };
  }
  if (!isClusterUrl) {
    if (scheme !== 'redis:' && scheme !== 'rediss:') throw new ConfigError('REDIS_URL must start with redis://, rediss://, redis+cluster:// or rediss+cluster://', 'REDIS_URL');
    return { mode: 'single', url };
  }
  // URL cannot parse a host list; take the authority apart by hand.
  const rest = url.slice((scheme as string).length + 2);
  const authority = rest.split(/[/?#]/, 1)[0] ?? '';
  const at = authority.lastIndexOf('@');
  const hosts = at >= 0 ? authority.slice(at + 1) : authority;
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const nodes = hosts.split(',').map((h) => h.trim()).filter((h) => h.length > 0);
  if (nodes.length === 0) throw new ConfigError('REDIS_URL (redis+cluster://) names no host:port', 'REDIS_URL');
  const auth = userinfo ? credentialsOf(`redis://${userinfo}@x`, 'REDIS_URL') : {};
  return { mode: 'cluster', nodes: nodes.map((n) => hostPort(n, 'REDIS_URL')), ...auth, tls: scheme === 'rediss+cluster:' };
}

function hostPort(raw: string, variable: string): { host: string; port: number } {
  // host:port, host a name or IPv4, or [IPv6]:port.
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new ConfigError(`${variable}: each node must be host:port (got an entry that is not)`, variable);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

function credentialsOf(url: string, variable: string): { username?: string; password?: string; tls: boolean } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`${variable} is not a valid URL`, variable);
  }
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
  };
}

export interface RedisFactoryOptions {
  /** Name shown in CLIENT LIST, to tell connections apart when debugging. */
  connectionName: string;
  /**
   * BullMQ workers and blocking commands need `null` (retry forever);
   * request-path clients should fail fast so the caller can answer 503.
   */
  maxRetriesPerRequest?: number | null;
  /**
   * Request-path clients: a command not answered in this long fails (the
   * caller answers 503), so a Redis that hangs without dropping the
   * connection never hangs a request. Never on blocking or subscriber clients.
   */
  commandTimeoutMs?: number;
  lazyConnect?: boolean;
  /**
   * A client that will SSUBSCRIBE: on a cluster, ioredis then keeps one
   * subscriber connection per master, so each sharded channel is read from
   * the node that owns its slot. No effect on a single node.
   */
  shardedSubscriber?: boolean;
}

/** Reconnect with capped backoff; the caller decides how to fail meanwhile. */
const retryStrategy = (times: number): number => Math.min(50 * 2 ** Math.min(times, 6), 2000);

function nodeOptions(opts: RedisFactoryOptions): RedisOptions {
  return {
    connectionName: opts.connectionName,
    maxRetriesPerRequest: opts.maxRetriesPerRequest === undefined ? 3 : opts.maxRetriesPerRequest,
    enableReadyCheck: true,
    ...(opts.commandTimeoutMs !== undefined ? { commandTimeout: opts.commandTimeoutMs } : {}),
    retryStrategy,
  };
}

/**
 * Builds a client for the target: a `Redis` for one node, a `Cluster` for a
 * cluster, with the same timeout and retry semantics (the per-node options
 * of a cluster carry commandTimeout and maxRetriesPerRequest, which BullMQ
 * also reads there). Composition roots own the clients and close them.
 */
export function createRedisClient(target: RedisTarget, opts: RedisFactoryOptions): RedisClient {
  if (target.mode === 'single') return new Redis(target.url, { ...nodeOptions(opts), lazyConnect: opts.lazyConnect ?? false });
  const options: ClusterOptions = {
    lazyConnect: opts.lazyConnect ?? false,
    enableReadyCheck: true,
    // A failover moves slots: retry a command refused by a node that lost its slots (CLUSTERDOWN, TRYAGAIN) a few times meanwhile.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    // Reconnect to the cluster as a whole with the same capped backoff as one node.
    clusterRetryStrategy: retryStrategy,
    slotsRefreshTimeout: 2000,
    ...(opts.shardedSubscriber ? { shardedSubscribers: true } : {}),
    redisOptions: {
      ...nodeOptions(opts),
      ...(target.username !== undefined ? { username: target.username } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
  };
  return new Cluster(
    target.nodes.map((n) => ({ host: n.host, port: n.port })),
    options,
  );
}

/**
 * Builds an ioredis client from a single-node URL. Kept for the code that
 * is pinned to one node (test harnesses that start their own Redis); the
 * processes build clients with createRedisClient.
 */
export function createRedis(url: string, opts: RedisFactoryOptions): Redis {
  return new Redis(url, { ...nodeOptions(opts), lazyConnect: opts.lazyConnect ?? false });
}

/** Whether a client is a Redis Cluster client (ioredis marks it so). */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/**
 * How long a request-path Redis command may take before the request answers
 * 503. Commands waiting in ioredis' offline queue (Redis down, reconnecting)
 * are bounded by it too: ioredis starts the timer when the command is issued.
 * A token lookup is two commands at most, so a search answers within about
 * twice this when Redis hangs.
 */
export const REQUEST_PATH_REDIS_TIMEOUT_MS = 500;

/**
 * The options of a client that request handlers add BullMQ jobs through
 * (intake, decisions): `Queue.add` fails after REQUEST_PATH_REDIS_TIMEOUT_MS
 * (plus `extraTimeoutMs`, the WAIT budget of durable intake) instead of
 * waiting for a hung Redis, and is not retried across reconnects.
 */
export function requestPathQueueOptions(connectionName: string, extraTimeoutMs = 0): RedisFactoryOptions {
  return { connectionName, commandTimeoutMs: REQUEST_PATH_REDIS_TIMEOUT_MS + extraTimeoutMs, maxRetriesPerRequest: 1 };
}

/** The options of a client BullMQ workers (and QueueEvents) use: blocking commands retry forever. */
export function workerQueueOptions(connectionName: string): RedisFactoryOptions {
  return { connectionName, maxRetriesPerRequest: null };
}

/**
 * Closes a client without waiting on a hung server: QUIT when it answers
 * within `timeoutMs`, else drop the connection.
 */
export async function closeRedisClient(client: RedisClient, timeoutMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.quit().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  if (timer) clearTimeout(timer);
  client.disconnect();
}
