import { Redis, type RedisOptions } from 'ioredis';

export { Redis };

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
}

/** Builds an ioredis client from a URL. Composition roots own the clients and close them. */
export function createRedis(url: string, opts: RedisFactoryOptions): Redis {
  const options: RedisOptions = {
    connectionName: opts.connectionName,
    maxRetriesPerRequest: opts.maxRetriesPerRequest === undefined ? 3 : opts.maxRetriesPerRequest,
    enableReadyCheck: true,
    lazyConnect: opts.lazyConnect ?? false,
    ...(opts.commandTimeoutMs !== undefined ? { commandTimeout: opts.commandTimeoutMs } : {}),
    // Reconnect with capped backoff; the caller decides how to fail meanwhile.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  };
  return new Redis(url, options);
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
 * BullMQ connection options for a queue that request handlers add to
 * (intake, decisions): `Queue.add` fails after REQUEST_PATH_REDIS_TIMEOUT_MS
 * instead of waiting for a hung Redis, and is not retried across reconnects.
 */
export function requestPathQueueConnection(url: string): { url: string; commandTimeout: number; maxRetriesPerRequest: number } {
  return { url, commandTimeout: REQUEST_PATH_REDIS_TIMEOUT_MS, maxRetriesPerRequest: 1 };
}
