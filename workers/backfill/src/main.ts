// Composition root of the backfill worker.
import os from 'node:os';
import { backfillEnvVars, createJobMetrics, createLogger, createProcessMetrics, loadConfig, runProcess, serveWorkerMetrics, startHeartbeat, type WorkerMetricsConfig } from '@takedown/shared';
import { restartOnRegexEngineFailure } from '@takedown/search-rules';
import { createBackfillWorker } from './backfill-worker';
import { buildBackfillDeps, type BackfillConfig } from './build-deps';
import { createBackfillMetrics } from './backfill-metrics';

runProcess('backfill worker', async (control) => {
  const config = loadConfig<BackfillConfig & WorkerMetricsConfig>(process.env, backfillEnvVars);
  const logger = createLogger({ name: 'backfill', level: config.logLevel });
  // RE2 cannot be reloaded in place: regex matching fails closed until a fresh process takes over.
  restartOnRegexEngineFailure(logger, control);
  const deps = await buildBackfillDeps(config);
  const metrics = createProcessMetrics('backfill');
  const worker = createBackfillWorker({ ...deps, metrics: createBackfillMetrics(metrics.registry) }, { connection: deps.bullConnection, prefix: config.queuePrefix, concurrency: 1, logger, metrics: createJobMetrics(metrics.registry) });
  const stopBeat = startHeartbeat(deps.redis, deps.keys, 'backfill', `${os.hostname()}:${process.pid}`);
  const metricsServer = await serveWorkerMetrics({ name: 'backfill worker', metrics, redis: deps.redis, keys: deps.keys, ...config.metrics, logger });
  logger.info({ docsPerSec: config.docsPerSec, slices: config.slices }, 'backfill worker started');
  return {
    async stop() {
      logger.info('backfill worker stopping');
      await worker.close();
      await metricsServer.stop();
      await stopBeat();
      await deps.close();
    },
  };
});
