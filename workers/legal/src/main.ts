// Composition root of the legal worker: packages, preservations, notices,
// and the sweeper that re-enqueues what a crash between approval and
// enqueue left behind and deletes what has expired.
import os from 'node:os';
import path from 'node:path';
import { createLogger, ensureDevLegalKeys, legalKeys, legalWorkerEnvVars, loadConfig, moderationKeys, runProcess, startHeartbeat } from '@takedown/shared';
import { buildLegalWorkerDeps, type LegalWorkerConfig } from './build-deps';
import { startLegalSweeper } from './legal-sweeper';
import { createLegalWorkers } from './legal-worker';

runProcess('legal worker', async () => {
  const config = loadConfig<LegalWorkerConfig>(process.env, legalWorkerEnvVars);
  const logger = createLogger({ name: 'legal', level: config.logLevel });
  // Production: the configured keys (a ConfigError names a missing one). Development: the checkout's, under the data dir.
  const packageKeys = legalKeys(config.legal, config.env === 'production' ? undefined : ensureDevLegalKeys(path.resolve(process.env['TAKEDOWN_DATA_DIR'] || '.data', 'legal-keys')));
  const deps = await buildLegalWorkerDeps(config, logger, { packageKeys });
  const workers = createLegalWorkers(deps, { connection: deps.bullConnection, prefix: config.queuePrefix, concurrency: config.concurrency, logger });
  const stopSweeper = startLegalSweeper(deps, { everyMs: config.sweepMs, staleMs: 30_000 });
  const stopBeat = startHeartbeat(deps.redis, moderationKeys(config.queuePrefix, config.caseShards), 'legal', `${os.hostname()}:${process.pid}`);
  logger.info({ concurrency: config.concurrency, packageRetentionDays: config.packageRetentionDays }, 'legal worker started');
  return {
    async stop() {
      logger.info('legal worker stopping');
      stopSweeper();
      await Promise.all(workers.map((w) => w.close()));
      await stopBeat();
      await deps.close();
    },
  };
});
