import {
  CatalogQueue,
  LiveRuleset,
  PrincipalCache,
  RulesetStore,
  TokenStore,
  createElasticsearch,
  createRedis,
  ensureContentIndex,
  moderationKeys,
  rulesetKeys,
  type Logger,
} from '@takedown/shared';
import { compileStoredRuleset, type CompiledRuleset } from '@takedown/search-rules';
import type { IngestConfig, IngestDeps } from './deps';
import { IdLocks } from './id-locks';
import { createIngestMetrics } from './ingest-metrics';
import { ReadFirst } from './read-first';

/** Builds the ingest service's clients and live ruleset from validated config (main.ts and tests). */
export async function buildIngestDeps(config: IngestConfig, logger: Logger): Promise<IngestDeps & { close(): Promise<void> }> {
  // Request path: fail fast, so a Redis outage answers 503 instead of hanging the indexer.
  const redis = createRedis(config.redis.url, { connectionName: 'ingest', maxRetriesPerRequest: 2 });
  const rulesSub = createRedis(config.redis.url, { connectionName: 'ingest:rules', maxRetriesPerRequest: null });
  const es = createElasticsearch(config.elasticsearch);
  await ensureContentIndex(es, config.contentIndex, config.elasticsearch.replicas);
  const rkeys = rulesetKeys(config.queuePrefix);
  const keys = moderationKeys(config.queuePrefix);
  const rules = new LiveRuleset<CompiledRuleset>({
    store: new RulesetStore(redis, rkeys),
    subscriber: rulesSub,
    compile: (r) => compileStoredRuleset(r, { trusted: true }),
    logger,
  });
  await rules.start();
  const reports = new CatalogQueue('reports', { url: config.redis.url }, config.queuePrefix);
  return {
    config,
    logger,
    es,
    redis,
    keys,
    rulesetKeys: rkeys,
    rules,
    reports,
    maxStalenessMs: config.maxStalenessMs,
    principals: new PrincipalCache(new TokenStore(redis, keys)),
    metrics: createIngestMetrics(),
    locks: new IdLocks(),
    readFirst: new ReadFirst(),
    async close() {
      await rules.stop();
      await reports.close();
      redis.disconnect();
      rulesSub.disconnect();
      await es.close();
    },
  };
}
