// Composition root of the legal worker: packages, preservations, notices,
// and the sweeper that re-enqueues what a crash between approval and
// enqueue left behind and deletes what has expired.
import os from 'node:os';
import path from 'node:path';
import { createJobMetrics, createLogger, createProcessMetrics, ensureDevLegalKeys, legalKeys, legalWorkerEnvVars, loadConfig, moderationKeys, runProcess, serveWorkerMetrics, startHeartbeat, type WorkerMetricsConfig } from '@takedown/shared';
import { buildLegalWorkerDeps, type LegalWorkerConfig } from './build-deps';
import { createLegalMetrics } from './legal-metrics';
import { startLegalSweeper } from './legal-sweeper';
import { createLegalWorkers } from './legal-worker';

runProcess('legal worker', async () => {
  const config = loadConfig<LegalWorkerConfig & WorkerMetricsConfig>(process.env, legalWorkerEnvVars);
  const logger = createLogger({ name: 'legal', level: config.logLevel });
  // Production: the configured keys (a ConfigError names a missing one). Development: the checkout's, under the data dir.
  const packageKeys = legalKeys(config.legal, config.env === 'production' ? undefined : ensureDevLegalKeys(path.resolve(process.env['TAKEDOWN_DATA_DIR'] || '.data', 'legal-keys')));
  const built = await buildLegalWorkerDeps(config, logger, { packageKeys });
  const metrics = createProcessMetrics('legal');
  const deps = { ...built, metrics: createLegalMetrics(metrics.registry, built.store) };
  const workers = createLegalWorkers(deps, { connection: deps.bullConnection, prefix: config.queuePrefix, concurrency: config.concurrency, logger, metrics: createJobMetrics(metrics.registry) });
  const stopSweeper = startLegalSweeper(deps, { everyMs: config.sweepMs, staleMs: 30_000 });
  const keys = moderationKeys(config.queuePrefix, config.caseShards);
  const stopBeat = startHeartbeat(deps.redis, keys, 'legal', `${os.hostname()}:${process.pid}`);
  const metricsServer = await serveWorkerMetrics({ name: 'legal worker', metrics, redis: deps.redis, keys, ...config.metrics, logger });
  logger.info({ concurrency: config.concurrency, packageRetentionDays: config.packageRetentionDays }, 'legal worker started');
  return {
    async stop() {
      logger.info('legal worker stopping');
      stopSweeper();
      await Promise.all(workers.map((w) => w.close()));
      await metricsServer.stop();
      await stopBeat();
      await deps.close();
    },
  };
});
