import {
  CatalogQueue,
  LegalStore,
  createElasticsearch,
  createRedis,
  ensureTakedownIndices,
  moderationKeys,
  type CoreConfig,
  type Logger,
} from '@takedown/shared';
import type { LegalWorkerDeps, PackageBuilder, SignInReader } from './legal-jobs';

export interface LegalWorkerConfig extends CoreConfig {
  concurrency: number;
  packageRetentionDays: number;
  sweepMs: number;
}

/** Builds the legal worker's clients from validated config (main.ts and the tests). */
export async function buildLegalWorkerDeps(
  config: LegalWorkerConfig,
  logger: Logger,
  ports: { builder?: PackageBuilder; signIns?: SignInReader } = {},
): Promise<LegalWorkerDeps & { close(): Promise<void> }> {
  const redis = createRedis(config.redis.url, { connectionName: 'legal', maxRetriesPerRequest: null });
  const es = createElasticsearch(config.elasticsearch);
  const indices = await ensureTakedownIndices(es, config.indexPrefix, config.elasticsearch.replicas);
  const connection = { url: config.redis.url };
  const packages = new CatalogQueue('legal-package', connection, config.queuePrefix);
  const preservations = new CatalogQueue('legal-preserve', connection, config.queuePrefix);
  const notices = new CatalogQueue('legal-notice', connection, config.queuePrefix);
  return {
    store: new LegalStore(es, indices),
    redis,
    keys: moderationKeys(config.queuePrefix),
    logger,
    packages,
    preservations,
    notices,
    packageRetentionDays: config.packageRetentionDays,
    ...ports,
    async close() {
      await Promise.all([packages.close(), preservations.close(), notices.close()]);
      redis.disconnect();
      await es.close();
    },
  };
}
