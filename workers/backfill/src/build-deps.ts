import {
  CatalogQueue,
  RulesetStore,
  createElasticsearch,
  closeRedisClient,
  createRedisClient,
  redisTarget,
  workerQueueOptions,
  type RedisClient,
  ensureContentIndex,
  openModerationKeys,
  rulesetKeys,
  type CoreConfig,
} from '@takedown/shared';
import type { BackfillDeps } from './run-backfill';

export interface BackfillConfig extends CoreConfig {
  docsPerSec: number;
  slices: number;
  settleMs: number;
}

/** Builds the backfill worker's clients from validated config (main.ts, tests and the benchmark). */
export async function buildBackfillDeps(config: BackfillConfig): Promise<BackfillDeps & { bullConnection: RedisClient; close(): Promise<void> }> {
  const target = redisTarget(config.redis);
  const redis = createRedisClient(target, { connectionName: 'backfill', maxRetriesPerRequest: null });
  // BullMQ's connection, for the reports queue and the backfill worker; closed after both.
  const bullConnection = createRedisClient(target, workerQueueOptions('backfill:queues'));
  const es = createElasticsearch(config.elasticsearch);
  await ensureContentIndex(es, config.contentIndex, config.elasticsearch.replicas);
  const reports = new CatalogQueue('reports', bullConnection, config.queuePrefix);
  return {
    es,
    redis,
    bullConnection,
    rulesets: new RulesetStore(redis, rulesetKeys(config.queuePrefix)),
    keys: await openModerationKeys(redis, config),
    reports,
    contentIndex: config.contentIndex,
    docsPerSec: config.docsPerSec,
    slices: config.slices,
    settleMs: config.settleMs,
    async close() {
      await reports.close();
      await closeRedisClient(bullConnection);
      redis.disconnect();
      await es.close();
    },
  };
}
