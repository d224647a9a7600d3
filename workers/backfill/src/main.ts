// Composition root of the backfill worker.
import os from 'node:os';
import { backfillEnvVars, createLogger, loadConfig, runProcess, startHeartbeat } from '@takedown/shared';
import { restartOnRegexEngineFailure } from '@takedown/search-rules';
import { createBackfillWorker } from './backfill-worker';
import { buildBackfillDeps, type BackfillConfig } from './build-deps';

runProcess('backfill worker', async (control) => {
  const config = loadConfig<BackfillConfig>(process.env, backfillEnvVars);
  const logger = createLogger({ name: 'backfill', level: config.logLevel });
  // RE2 cannot be reloaded in place: regex matching fails closed until a fresh process takes over.
  restartOnRegexEngineFailure(logger, control);
  const deps = await buildBackfillDeps(config);
  const worker = createBackfillWorker(deps, { connection: deps.bullConnection, prefix: config.queuePrefix, concurrency: 1, logger });
  const stopBeat = startHeartbeat(deps.redis, deps.keys, 'backfill', `${os.hostname()}:${process.pid}`);
  logger.info({ docsPerSec: config.docsPerSec, slices: config.slices }, 'backfill worker started');
  return {
    async stop() {
      logger.info('backfill worker stopping');
      await worker.close();
      await stopBeat();
      await deps.close();
    },
  };
});
