import { sharedAuthFailures, FailedAuthLimiter, PrincipalCache, TokenStore, createElasticsearch, elasticsearchNodes, createRedisClient, redisTarget, REQUEST_PATH_REDIS_TIMEOUT_MS, openModerationKeys, rulesetKeys, startLiveRuleset, type Logger } from '@takedown/shared';
import { compileStoredRuleset, releaseRuleset, type CompiledRuleset } from '@takedown/search-rules';
import { connectFeatureClient } from '@takedown/features';
import type { SearchConfig, SearchDeps } from './deps';
import { createSearchMetrics } from './search-metrics';
import { PendingRules } from './pending-rules';
import { QueryLog } from './query-log';
import { GeoFieldResolver } from './geo-field-resolver';
import { TakedownTracker, type TakedownTrackerFaults } from './takedown-tracker';
import { UpstreamClient } from './upstream-client';

/** Test-only overrides: named fault points (main.ts passes none). */
export interface SearchOverrides {
  trackerFaults?: TakedownTrackerFaults;
}

/** Builds the proxy's clients and live state from validated config (main.ts and tests). */
export async function buildSearchDeps(config: SearchConfig, logger: Logger, overrides: SearchOverrides = {}): Promise<SearchDeps & { close(): Promise<void> }> {
  const target = redisTarget(config.redis);
  const redis = createRedisClient(target, { connectionName: 'search', maxRetriesPerRequest: 2, commandTimeoutMs: REQUEST_PATH_REDIS_TIMEOUT_MS });
  const takedownSub = createRedisClient(target, { connectionName: 'search:takedowns', maxRetriesPerRequest: null, shardedSubscriber: true });
  // One client for the process: the transport keeps a keep-alive connection pool.
  const es = createElasticsearch(config.elasticsearch);
  // The hot calls: a lean keep-alive pool per node, with the same credentials.
  const upstream = new UpstreamClient({ nodes: elasticsearchNodes(config.elasticsearch.url), timeoutMs: config.esTimeoutMs, ...authorizationOf(config.elasticsearch) });
  const indices = config.searchIndices.length > 0 ? config.searchIndices : [config.contentIndex];
  const rkeys = rulesetKeys(config.queuePrefix);
  const pending = new PendingRules(redis, rkeys, logger);
  const queryLog = new QueryLog(redis, rkeys, logger);
  const live = await startLiveRuleset<CompiledRuleset>({
    redis,
    redisTarget: target,
    queuePrefix: config.queuePrefix,
    name: 'search',
    compile: (r) => compileStoredRuleset(r, { trusted: true }),
    // Frees a replaced version's RE2 heap 30 s after the swap (the GC does not see it fill).
    retire: releaseRuleset,
    logger,
    // Rules published with a pending backfill are in the pending set before
    // the version is announced: pick them up with the version, not 500 ms later.
    onLoad: () => pending.refresh(),
  });
  const rules = live.rules;
  const keys = await openModerationKeys(redis, config);
  const tracker = new TakedownTracker({ subscriber: takedownSub, redis, keys, es, indices, logger, ...(overrides.trackerFaults ? { faults: overrides.trackerFaults } : {}) });
  await tracker.start();
  await pending.start();
  queryLog.start();
  // Same staleness bound as the ruleset: past it, each switch takes its fail mode.
  const features = await connectFeatureClient({
    // Built like every other client here, so a cluster config reaches the feature switches too.
    connect: (role) => createRedisClient(target, role.subscriber ? { connectionName: role.connectionName, maxRetriesPerRequest: null, shardedSubscriber: true } : { connectionName: role.connectionName, maxRetriesPerRequest: 1, commandTimeoutMs: role.commandTimeoutMs }),
    queuePrefix: config.queuePrefix,
    maxStalenessMs: config.maxStalenessMs,
    connectionName: 'search:features',
    onUpdate: (version) => logger.info({ version }, 'feature switches loaded'),
    // Every failed check while Redis is down: debug only (the ruleset's staleness already reports the outage).
    onError: (err) => logger.debug({ err }, 'feature switch check failed'),
  });
  return {
    config,
    logger,
    es,
    upstream,
    principals: new PrincipalCache(new TokenStore(redis, keys), new FailedAuthLimiter(config.authFailuresPerMinute, undefined, undefined, sharedAuthFailures(redis, keys.base, 'search', config.authFailuresPerMinute))),
    redis,
    rulesetKeys: rkeys,
    queryLog,
    rules,
    tracker,
    pending,
    metrics: createSearchMetrics(),
    indices: new Set(indices),
    features,
    // Same per-request timeout as a search: a mapping read is on the request path of a gated geo search.
    geoFields: new GeoFieldResolver(es, { ttlMs: config.geoMappingTtlMs, timeoutMs: config.esTimeoutMs }),
    async close() {
      await features.close();
      pending.stop();
      await queryLog.stop();
      await tracker.stop();
      await live.stop();
      redis.disconnect();
      takedownSub.disconnect();
      await es.close();
      await upstream.close();
    },
  };
}

/** The Authorization header the Elasticsearch client would send for these credentials. */
function authorizationOf(c: SearchConfig['elasticsearch']): { authorization?: string } {
  if (c.apiKey) return { authorization: `ApiKey ${c.apiKey}` };
  if (c.username && c.password) return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
  return {};
}
