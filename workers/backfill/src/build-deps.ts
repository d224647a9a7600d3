import {
  CatalogQueue,
  RulesetStore,
  createElasticsearch,
  createRedis,
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
export async function buildBackfillDeps(config: BackfillConfig): Promise<BackfillDeps & { close(): Promise<void> }> {
  const redis = createRedis(config.redis.url, { connectionName: 'backfill', maxRetriesPerRequest: null });
  const es = createElasticsearch(config.elasticsearch);
  await ensureContentIndex(es, config.contentIndex, config.elasticsearch.replicas);
  const reports = new CatalogQueue('reports', { url: config.redis.url }, config.queuePrefix);
  return {
    es,
    redis,
    rulesets: new RulesetStore(redis, rulesetKeys(config.queuePrefix)),
    keys: await openModerationKeys(redis, config),
    reports,
    contentIndex: config.contentIndex,
    docsPerSec: config.docsPerSec,
    slices: config.slices,
    settleMs: config.settleMs,
    async close() {
      await reports.close();
      redis.disconnect();
      await es.close();
    },
  };
}
