import { Queue } from 'bullmq';
import {
  CaseStore,
  FailedAuthLimiter,
  CatalogQueue,
  QUEUE_NAMES,
  TokenStore,
  createElasticsearch,
  createRedis,
  REQUEST_PATH_REDIS_TIMEOUT_MS,
  ensureContentIndex,
  ensureTakedownIndices,
  moderationKeys,
  migrateLegacyTokens,
  DraftStore,
  RulesetStore,
  rulesetKeys,
  type Logger,
} from '@takedown/shared';
import type { ApiConfig, ApiDeps } from './deps';
import { RulePublisher } from './rules/publisher';

/** Builds the API's clients from validated config (used by main.ts and by tests). */
export async function buildApiDeps(config: ApiConfig, logger: Logger): Promise<ApiDeps & { close(): Promise<void> }> {
  // Request-path client: fail fast so a Redis outage answers 503, not a hung request.
  const redis = createRedis(config.redis.url, { connectionName: 'moderation-api', maxRetriesPerRequest: 2, commandTimeoutMs: REQUEST_PATH_REDIS_TIMEOUT_MS });
  const es = createElasticsearch(config.elasticsearch);
  const indices = await ensureTakedownIndices(es, config.indexPrefix, config.elasticsearch.replicas);
  await ensureContentIndex(es, config.contentIndex, config.elasticsearch.replicas);
  const keys = moderationKeys(config.queuePrefix);
  const connection = { url: config.redis.url };
  const reports = new CatalogQueue('reports', connection, config.queuePrefix);
  const actions = new CatalogQueue('actions', connection, config.queuePrefix);
  const backfill = new CatalogQueue('backfill', connection, config.queuePrefix);
  const others = QUEUE_NAMES.filter((n) => n !== 'reports' && n !== 'actions' && n !== 'backfill').map((n) => new Queue(n, { connection, prefix: config.queuePrefix }));
  const rulesets = new RulesetStore(redis, rulesetKeys(config.queuePrefix));
  const tokens = new TokenStore(redis, keys);
  // Tokens from before tokens belonged to people: one person each, once.
  const migrated = await migrateLegacyTokens(redis, keys, tokens);
  if (migrated > 0) logger.info({ migrated }, 'tokens moved to one person each');
  return {
    config,
    rulesets,
    publisher: new RulePublisher({ rulesets, redis, backfill, logger }),
    drafts: new DraftStore(redis, rulesets.keys, rulesets),
    logger,
    redis,
    es,
    cases: new CaseStore(redis, keys, config.leaseSeconds * 1000),
    tokens,
    authLimiter: new FailedAuthLimiter(config.authFailuresPerMinute),
    reports,
    actions,
    backfill,
    indices,
    queues: [reports.queue, actions.queue, backfill.queue, ...others],
    async close() {
      await Promise.all([reports.close(), actions.close(), backfill.close(), ...others.map((q) => q.close())]);
      redis.disconnect();
      await es.close();
    },
  };
}
