import { randomBytes } from 'node:crypto';
import {
  createElasticsearch,
  closeRedisClient,
  createRedis,
  loadConfig,
  workerQueueOptions,
  type CoreConfig,
  type ElasticsearchClient,
  type Redis,
} from '@takedown/shared';

/**
 * Per-file isolation on the shared real servers: every test file gets its
 * own index prefix, content index and BullMQ prefix, and removes them at the end.
 */
export interface TestContext {
  prefix: string;
  config: CoreConfig;
  es: ElasticsearchClient;
  redis: Redis;
  /**
   * BullMQ's connection for this file's queues and workers (shared by them,
   * duplicated by workers for blocking reads); closed by cleanup().
   */
  bullConnection: Redis;
  cleanup(): Promise<void>;
}

export function uniquePrefix(name: string): string {
  const safe = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 20);
  return `t-${safe}-${randomBytes(4).toString('hex')}`;
}

export async function createTestContext(name: string, env: Record<string, string> = {}): Promise<TestContext> {
  const prefix = uniquePrefix(name);
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent',
    TAKEDOWN_INDEX_PREFIX: prefix,
    TAKEDOWN_CONTENT_INDEX: `${prefix}-content`,
    TAKEDOWN_QUEUE_PREFIX: `{${prefix}}`,
    ...env,
  });
  const es = createElasticsearch(config.elasticsearch);
  const redis = createRedis(config.redis.url, { connectionName: `test:${prefix}` });
  const bullConnection = createRedis(config.redis.url, workerQueueOptions(`test:${prefix}:queues`));
  return {
    prefix,
    config,
    es,
    redis,
    bullConnection,
    async cleanup() {
      // destructive_requires_name is on in 8.x, so resolve names before deleting.
      const indices = await es.indices.get({ index: `${prefix}*`, expand_wildcards: 'all' }).catch(() => ({}));
      const names = Object.keys(indices);
      if (names.length > 0) await es.indices.delete({ index: names.join(',') });
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
      await closeRedisClient(bullConnection);
      await es.close();
    },
  };
}

/** Polls until `fn` returns a truthy value or the time runs out. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
