import type { Client } from '@elastic/elasticsearch';
import {
  AdminSessionStore,
  createProcessMetrics,
  CaseStore,
  FailedAuthLimiter,
  perTokenLimit,
  sharedAuthFailures,
  CatalogQueue,
  QUEUE_NAMES,
  TokenStore,
  catalogBullQueue,
  closeRedisClient,
  createElasticsearch,
  createRedisClient,
  redisTarget,
  REQUEST_PATH_REDIS_TIMEOUT_MS,
  requestPathQueueOptions,
  ensureContentIndex,
  ensureTakedownIndices,
  openModerationKeys,
  migrateLegacyTokens,
  DraftStore,
  ElasticsearchSubscriberSource,
  LegalStore,
  PeopleStore,
  RulesetStore,
  rulesetKeys,
  type LegalKeys,
  type Logger,
  type SubscriberSource,
} from '@takedown/shared';
import { RulePool } from '@takedown/search-rules';
import { MEDIA_HASH_TIMEOUT_MS, MEDIA_PDQ_MAX_IN_FLIGHT } from './routes/media-pdq';
import type { ApiConfig, ApiDeps } from './deps';
import { LegalDesk } from './legal/legal-desk';
import { RulePublisher } from './rules/publisher';
import { PublishedCompiled } from './rules/published-compiled';
import { compileFeatures, type FeatureSnapshot } from '@takedown/features';
import { compileStoredRuleset, releaseRuleset } from '@takedown/search-rules';

/** Builds the API's clients from validated config (used by main.ts and by tests). */
export async function buildApiDeps(
  config: ApiConfig,
  logger: Logger,
  legal: { packageKeys?: LegalKeys; subscribers?: SubscriberSource } = {},
  /** Test-only: TaskHold.buffer, holding every rule task inside its worker until released. */
  testing: { ruleTaskHold?: SharedArrayBuffer } = {},
): Promise<ApiDeps & { esBackground: Client; close(): Promise<void> }> {
  // Request-path client: fail fast so a Redis outage answers 503, not a hung request.
  const target = redisTarget(config.redis);
  const redis = createRedisClient(target, { connectionName: 'moderation-api', maxRetriesPerRequest: 2, commandTimeoutMs: REQUEST_PATH_REDIS_TIMEOUT_MS });
  // Boot and background work (index setup, the case mirror) keep the global timeout and retries.
  const esBackground = createElasticsearch(config.elasticsearch);
  const indices = await ensureTakedownIndices(esBackground, config.indexPrefix, config.elasticsearch.replicas);
  await ensureContentIndex(esBackground, config.contentIndex, config.elasticsearch.replicas);
  // Request handlers share its pool but wait one bounded attempt: a hung Elasticsearch answers 503 (error middleware), no retry on top.
  const es = esBackground.child({ requestTimeout: config.esTimeoutMs, maxRetries: 0 });
  const esScan = esBackground.child({ requestTimeout: config.esScanTimeoutMs, maxRetries: 0 });
  const keys = await openModerationKeys(redis, config);
  // Request handlers add to these queues (reports, decisions, publishes): bounded like every request-path command.
  const connection = createRedisClient(target, requestPathQueueOptions('moderation-api:queues'));
  // Intake has a connection of its own: WAIT covers the writes of the connection it is sent on, and blocks that
  // connection while replicas lag, which must not hold up decisions and publishes. Its commands may take the WAIT budget longer.
  const { waitReplicas, waitTimeoutMs } = config.intake;
  const intakeConnection = waitReplicas > 0 ? createRedisClient(target, requestPathQueueOptions('moderation-api:intake', waitTimeoutMs)) : connection;
  const reports = new CatalogQueue('reports', intakeConnection, config.queuePrefix, { replicas: waitReplicas, timeoutMs: waitTimeoutMs });
  const actions = new CatalogQueue('actions', connection, config.queuePrefix);
  const backfill = new CatalogQueue('backfill', connection, config.queuePrefix);
  const legalPackages = new CatalogQueue('legal-package', connection, config.queuePrefix);
  const legalPreserve = new CatalogQueue('legal-preserve', connection, config.queuePrefix);
  const catalogued = new Set(['reports', 'actions', 'backfill', 'legal-package', 'legal-preserve']);
  const others = QUEUE_NAMES.filter((n) => !catalogued.has(n)).map((n) => catalogBullQueue(n, connection, config.queuePrefix));
  const rulesets = new RulesetStore(redis, rulesetKeys(config.queuePrefix));
  const featureStore = new RulesetStore(redis, rulesetKeys(config.queuePrefix, 'features'));
  // The legal desk reads packages whole (base64 in one document) and transparency periods at once: the longer bound.
  const legalStore = new LegalStore(esScan, indices);
  // An agency person's grant must name a registered agency.
  const tokens = new TokenStore(redis, keys, new PeopleStore(redis, keys, { agencyExists: async (id) => (await legalStore.getAgency(id)) !== undefined }));
  // Tokens from before tokens belonged to people: one person each, once.
  const migrated = await migrateLegacyTokens(redis, keys, tokens);
  if (migrated > 0) logger.info({ migrated }, 'tokens moved to one person each');
  const rulePool = new RulePool({ ...config.ruleWorkers, ...(testing.ruleTaskHold ? { hold: testing.ruleTaskHold } : {}) });
  // One thread: hashing takes ~40 ms an image, and the route admits only a few at a time (media-pdq.ts).
  const mediaPool = new RulePool({ size: 1, taskTimeoutMs: MEDIA_HASH_TIMEOUT_MS, maxQueued: MEDIA_PDQ_MAX_IN_FLIGHT, ...(testing.ruleTaskHold ? { hold: testing.ruleTaskHold } : {}) });
  return {
    config,
    metrics: createProcessMetrics('moderation-api'),
    rulePool,
    mediaPool,
    rulesets,
    publisher: new RulePublisher({ rulesets, redis, backfill, logger }),
    drafts: new DraftStore(redis, rulesets.keys, rulesets),
    features: { store: featureStore, drafts: new DraftStore(redis, featureStore.keys, featureStore, (f) => (f as { key: string }).key), published: new PublishedCompiled(featureStore, (s) => compileFeatures(s as unknown as FeatureSnapshot), 'the feature store') },
    // Validated when published: compiled without re-checking each rule.
    publishedRules: new PublishedCompiled(rulesets, (s) => compileStoredRuleset(s, { trusted: true }), 'the ruleset store', { retire: releaseRuleset }),
    logger,
    redis,
    es,
    esScan,
    esBackground,
    cases: new CaseStore(redis, keys, config.leaseSeconds * 1000),
    tokens,
    adminSessions: new AdminSessionStore(redis, keys, tokens),
    // Failures per address add up over every API process (Redis), beside this process's own count.
    authLimiter: new FailedAuthLimiter(config.authFailuresPerMinute, undefined, undefined, sharedAuthFailures(redis, keys.base, 'moderation-api', config.authFailuresPerMinute)),
    limits: {
      intake: perTokenLimit(redis, keys.base, 'intake', config.rateLimits?.intake),
      claims: perTokenLimit(redis, keys.base, 'claims', config.rateLimits?.claims),
    },
    reports,
    actions,
    backfill,
    indices,
    legal: new LegalDesk({
      store: legalStore,
      redis,
      keys,
      logger,
      policy: config.legal,
      packages: legalPackages,
      preservations: legalPreserve,
      // The platform's accounts and sign-ins: targets resolved at intake, the period clamped to what is held.
      subscribers: legal.subscribers ?? new ElasticsearchSubscriberSource(esScan, { accountsIndex: config.legal.accountsIndex, signInsIndex: config.legal.signInsIndex, contentIndex: config.contentIndex, timeoutMs: config.esScanTimeoutMs }),
      ...(legal.packageKeys ? { packageKeys: legal.packageKeys } : {}),
    }),
    queues: [reports.queue, actions.queue, backfill.queue, legalPackages.queue, legalPreserve.queue, ...others],
    async close() {
      await Promise.all([reports.close(), actions.close(), backfill.close(), legalPackages.close(), legalPreserve.close(), ...others.map((q) => q.close())]);
      await Promise.all([rulePool.close(), mediaPool.close()]);
      // BullMQ shares these connections and leaves them open.
      if (intakeConnection !== connection) await closeRedisClient(intakeConnection);
      await closeRedisClient(connection);
      redis.disconnect();
      // Closes the pool the children share.
      await esBackground.close();
    },
  };
}
