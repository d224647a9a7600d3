// Composition root of the triage worker: config validated once, clients
// built here and passed down, everything closed on SIGTERM.
import os from 'node:os';
import {
  CaseMirror,
  CaseStore,
  CatalogQueue,
  ContentReader,
  createJobMetrics,
  createProcessMetrics,
  serveWorkerMetrics,
  type WorkerMetricsConfig,
  createElasticsearch,
  createLogger,
  closeRedisClient,
  createRedisClient,
  redisTarget,
  workerQueueOptions,
  ensureTakedownIndices,
  loadConfig,
  openModerationKeys,
  recordShadowHits,
  rulesetKeys,
  runProcess,
  startLiveRuleset,
  startHeartbeat,
  triageEnvVars,
  type CoreConfig,
} from '@takedown/shared';
import { compileStoredRuleset, releaseRuleset, restartOnRegexEngineFailure } from '@takedown/search-rules';
import { createTriageWorker } from './triage-worker';
import { createTriageMetrics } from './triage-metrics';

interface TriageConfig extends CoreConfig, WorkerMetricsConfig {
  concurrency: number;
  leaseSeconds: number;
}

runProcess('triage worker', async (control) => {
  const config = loadConfig<TriageConfig>(process.env, triageEnvVars);
  const logger = createLogger({ name: 'triage', level: config.logLevel });
  // RE2 cannot be reloaded in place: regex matching fails closed until a fresh process takes over.
  restartOnRegexEngineFailure(logger, control);
  const instance = `${os.hostname()}:${process.pid}`;
  const target = redisTarget(config.redis);
  const redis = createRedisClient(target, { connectionName: 'triage', maxRetriesPerRequest: null });
  const es = createElasticsearch(config.elasticsearch);
  const indices = await ensureTakedownIndices(es, config.indexPrefix, config.elasticsearch.replicas);
  const keys = await openModerationKeys(redis, config);
  const cases = new CaseStore(redis, keys, config.leaseSeconds * 1000);
  const live = await startLiveRuleset({ redis, redisTarget: target, queuePrefix: config.queuePrefix, name: 'triage', compile: (r) => compileStoredRuleset(r, { trusted: true }), retire: releaseRuleset, logger });
  const rules = live.rules;
  // BullMQ's connection (it shares it and duplicates it for the worker's blocking reads); closed after them.
  const connection = createRedisClient(target, workerQueueOptions('triage:queues'));
  const actions = new CatalogQueue('actions', connection, config.queuePrefix);
  const mirror = new CaseMirror(redis, cases, es, indices.cases, logger);
  mirror.start();
  const rkeys = rulesetKeys(config.queuePrefix);
  const onShadowHits = (version: number, hits: { ruleId: string }[], contentId: string) =>
    void recordShadowHits(redis, rkeys, version, hits, contentId, 'content').catch((err: unknown) => logger.warn({ err }, 'shadow count failed'));
  const metrics = createProcessMetrics('triage');
  const worker = createTriageWorker(
    { cases, rules, actions, notices: { es, index: indices.notices }, content: new ContentReader(es, config.contentIndex), onShadowHits },
    { connection, prefix: config.queuePrefix, concurrency: config.concurrency, logger, metrics: createJobMetrics(metrics.registry), triageMetrics: createTriageMetrics(metrics.registry) },
  );
  const stopBeat = startHeartbeat(redis, keys, 'triage', instance);
  const metricsServer = await serveWorkerMetrics({ name: 'triage worker', metrics, redis, keys, ...config.metrics, logger });
  logger.info({ concurrency: config.concurrency, rulesetVersion: rules.version ?? null }, 'triage worker started');

  return {
    async stop() {
      logger.info('triage worker stopping');
      await worker.close();
      await metricsServer.stop();
      await stopBeat();
      await mirror.stop();
      await live.stop();
      await actions.close();
      await closeRedisClient(connection);
      redis.disconnect();
      await es.close();
    },
  };
});
