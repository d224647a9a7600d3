// Composition root of the actions worker. Besides applying decisions it
// runs the audit writer (one active writer across all processes, by lock)
// and the outbox sweeper.
import os from 'node:os';
import {
  AuditWriter,
  CaseStore,
  CatalogQueue,
  actionsEnvVars,
  createElasticsearch,
  createJobMetrics,
  createProcessMetrics,
  serveWorkerMetrics,
  type WorkerMetricsConfig,
  createLogger,
  closeRedisClient,
  createRedisClient,
  redisTarget,
  workerQueueOptions,
  ensureContentIndex,
  ensureTakedownIndices,
  loadConfig,
  runProcess,
  openModerationKeys,
  startHeartbeat,
  type CoreConfig,
} from '@takedown/shared';
import { createActionsWorker } from './actions-worker';
import { createActionsMetrics } from './actions-metrics';
import { startOutboxSweeper } from './outbox-sweeper';

interface ActionsConfig extends CoreConfig, WorkerMetricsConfig {
  concurrency: number;
  leaseSeconds: number;
}

runProcess('actions worker', async () => {
  const config = loadConfig<ActionsConfig>(process.env, actionsEnvVars);
  const logger = createLogger({ name: 'actions', level: config.logLevel });
  const instance = `${os.hostname()}:${process.pid}`;
  const target = redisTarget(config.redis);
  const redis = createRedisClient(target, { connectionName: 'actions', maxRetriesPerRequest: null });
  const es = createElasticsearch(config.elasticsearch);
  const indices = await ensureTakedownIndices(es, config.indexPrefix, config.elasticsearch.replicas);
  await ensureContentIndex(es, config.contentIndex, config.elasticsearch.replicas);
  const keys = await openModerationKeys(redis, config);
  const cases = new CaseStore(redis, keys, config.leaseSeconds * 1000);
  // BullMQ's connection (it shares it and duplicates it for the worker's blocking reads); closed after them.
  const connection = createRedisClient(target, workerQueueOptions('actions:queues'));
  const actions = new CatalogQueue('actions', connection, config.queuePrefix);
  const metrics = createProcessMetrics('actions');
  const worker = createActionsWorker(
    { cases, es, redis, contentIndex: config.contentIndex, statementsIndex: indices.statements, noticesIndex: indices.notices, metrics: createActionsMetrics(metrics.registry) },
    { connection, prefix: config.queuePrefix, concurrency: config.concurrency, logger, metrics: createJobMetrics(metrics.registry) },
  );
  const audit = new AuditWriter({ redis, es, index: indices.audit, keys, logger, instanceId: instance });
  audit.start();
  const stopSweeper = startOutboxSweeper(cases, actions, logger);
  const stopBeat = startHeartbeat(redis, keys, 'actions', instance);
  const metricsServer = await serveWorkerMetrics({ name: 'actions worker', metrics, redis, keys, ...config.metrics, logger });
  logger.info({ concurrency: config.concurrency }, 'actions worker started');

  return {
    async stop() {
      logger.info('actions worker stopping');
      await worker.close();
      await metricsServer.stop();
      stopSweeper();
      await audit.stop();
      await stopBeat();
      await actions.close();
      await closeRedisClient(connection);
      redis.disconnect();
      await es.close();
    },
  };
});
