import {
  CatalogQueue,
  ElasticsearchSubscriberSource,
  LegalStore,
  createElasticsearch,
  closeRedisClient,
  createRedisClient,
  redisTarget,
  workerQueueOptions,
  type RedisClient,
  ensureTakedownIndices,
  openModerationKeys,
  type CoreConfig,
  type LegalConfig,
  type LegalKeys,
  type Logger,
  type SubscriberSource,
} from '@takedown/shared';
import type { LegalWorkerDeps } from './legal-jobs';

export interface LegalWorkerConfig extends CoreConfig, LegalConfig {
  concurrency: number;
  packageRetentionDays: number;
  sweepMs: number;
}

/** Builds the legal worker's clients from validated config (main.ts and the tests). */
export async function buildLegalWorkerDeps(
  config: LegalWorkerConfig,
  logger: Logger,
  legal: { packageKeys: LegalKeys; source?: SubscriberSource },
): Promise<LegalWorkerDeps & { bullConnection: RedisClient; close(): Promise<void> }> {
  const target = redisTarget(config.redis);
  const redis = createRedisClient(target, { connectionName: 'legal', maxRetriesPerRequest: null });
  const es = createElasticsearch(config.elasticsearch);
  const indices = await ensureTakedownIndices(es, config.indexPrefix, config.elasticsearch.replicas);
  // BullMQ's connection, for these queues and the legal workers; closed after them.
  const connection = createRedisClient(target, workerQueueOptions('legal:queues'));
  const packages = new CatalogQueue('legal-package', connection, config.queuePrefix);
  const preservations = new CatalogQueue('legal-preserve', connection, config.queuePrefix);
  const notices = new CatalogQueue('legal-notice', connection, config.queuePrefix);
  return {
    store: new LegalStore(es, indices),
    redis,
    bullConnection: connection,
    keys: await openModerationKeys(redis, config),
    logger,
    packages,
    preservations,
    notices,
    packageRetentionDays: config.packageRetentionDays,
    source: legal.source ?? new ElasticsearchSubscriberSource(es, { accountsIndex: config.legal.accountsIndex, signInsIndex: config.legal.signInsIndex, contentIndex: config.contentIndex }),
    packageKeys: legal.packageKeys,
    async close() {
      await Promise.all([packages.close(), preservations.close(), notices.close()]);
      await closeRedisClient(connection);
      redis.disconnect();
      await es.close();
    },
  };
}
