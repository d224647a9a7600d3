// Composition root of the legal worker: packages, preservations, notices,
// and the sweeper that re-enqueues what a crash between approval and
// enqueue left behind and deletes what has expired.
import os from 'node:os';
import { createLogger, legalWorkerEnvVars, loadConfig, moderationKeys, runProcess, startHeartbeat } from '@takedown/shared';
import { buildLegalWorkerDeps, type LegalWorkerConfig } from './build-deps';
import { startLegalSweeper } from './legal-sweeper';
import { createLegalWorkers } from './legal-worker';

runProcess('legal worker', async () => {
  const config = loadConfig<LegalWorkerConfig>(process.env, legalWorkerEnvVars);
  const logger = createLogger({ name: 'legal', level: config.logLevel });
  const deps = await buildLegalWorkerDeps(config, logger);
  const workers = createLegalWorkers(deps, { connection: { url: config.redis.url }, prefix: config.queuePrefix, concurrency: config.concurrency, logger });
  const stopSweeper = startLegalSweeper(deps, { everyMs: config.sweepMs, staleMs: 30_000 });
  const stopBeat = startHeartbeat(deps.redis, moderationKeys(config.queuePrefix), 'legal', `${os.hostname()}:${process.pid}`);
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
