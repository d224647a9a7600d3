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
  lazyConnect?: boolean;
}

/** Builds an ioredis client from a URL. Composition roots own the clients and close them. */
export function createRedis(url: string, opts: RedisFactoryOptions): Redis {
  const options: RedisOptions = {
    connectionName: opts.connectionName,
    maxRetriesPerRequest: opts.maxRetriesPerRequest === undefined ? 3 : opts.maxRetriesPerRequest,
    enableReadyCheck: true,
    lazyConnect: opts.lazyConnect ?? false,
    // Reconnect with capped backoff; the caller decides how to fail meanwhile.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  };
  return new Redis(url, options);
}
