import { sharedAuthFailures, CatalogQueue, FailedAuthLimiter, PrincipalCache, TokenStore, closeRedisClient, createElasticsearch, createRedisClient, redisTarget, REQUEST_PATH_REDIS_TIMEOUT_MS, requestPathQueueOptions, ensureContentIndex, openModerationKeys, rulesetKeys, startLiveRuleset, type Logger } from '@takedown/shared';
import { compileStoredRuleset, releaseRuleset, type CompiledRuleset } from '@takedown/search-rules';
import type { IngestConfig, IngestDeps } from './deps';
import { IdLocks } from './id-locks';
import { createIngestMetrics } from './ingest-metrics';
import { ReadFirst } from './read-first';

/** Builds the ingest service's clients and live ruleset from validated config (main.ts and tests). */
export async function buildIngestDeps(config: IngestConfig, logger: Logger): Promise<IngestDeps & { close(): Promise<void> }> {
  // Request path: fail fast, so a Redis outage answers 503 instead of hanging the indexer.
  const target = redisTarget(config.redis);
  const redis = createRedisClient(target, { connectionName: 'ingest', maxRetriesPerRequest: 2, commandTimeoutMs: REQUEST_PATH_REDIS_TIMEOUT_MS });
  const es = createElasticsearch(config.elasticsearch);
  await ensureContentIndex(es, config.contentIndex, config.elasticsearch.replicas);
  const rkeys = rulesetKeys(config.queuePrefix);
  const keys = await openModerationKeys(redis, config);
  const live = await startLiveRuleset<CompiledRuleset>({ redis, redisTarget: target, queuePrefix: config.queuePrefix, name: 'ingest', compile: (r) => compileStoredRuleset(r, { trusted: true }), retire: releaseRuleset, logger });
  // Request path too: a hung queue answers the bulk's flagged items 429, never hangs it.
  // Its own connection: WAIT (TAKEDOWN_INTAKE_WAIT_REPLICAS) covers that connection's writes and blocks it while replicas lag.
  const { waitReplicas, waitTimeoutMs } = config.intake;
  const reportsConnection = createRedisClient(target, requestPathQueueOptions('ingest:reports', waitReplicas > 0 ? waitTimeoutMs : 0));
  const reports = new CatalogQueue('reports', reportsConnection, config.queuePrefix, { replicas: waitReplicas, timeoutMs: waitTimeoutMs });
  return {
    config,
    logger,
    es,
    redis,
    keys,
    rulesetKeys: rkeys,
    rules: live.rules,
    reports,
    maxStalenessMs: config.maxStalenessMs,
    esTimeoutMs: config.esTimeoutMs,
    principals: new PrincipalCache(new TokenStore(redis, keys), new FailedAuthLimiter(config.authFailuresPerMinute, undefined, undefined, sharedAuthFailures(redis, keys.base, 'ingest', config.authFailuresPerMinute))),
    metrics: createIngestMetrics(),
    locks: new IdLocks(),
    readFirst: new ReadFirst(),
    async close() {
      await live.stop();
      await reports.close();
      await closeRedisClient(reportsConnection);
      redis.disconnect();
      await es.close();
    },
  };
}
