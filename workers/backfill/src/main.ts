// Composition root of the backfill worker.
import os from 'node:os';
import { backfillEnvVars, createLogger, loadConfig, startHeartbeat } from '@takedown/shared';
import { createBackfillWorker } from './backfill-worker';
import { buildBackfillDeps, type BackfillConfig } from './build-deps';

async function main(): Promise<void> {
  const config = loadConfig<BackfillConfig>(process.env, backfillEnvVars);
  const logger = createLogger({ name: 'backfill', level: config.logLevel });
  const deps = await buildBackfillDeps(config);
  const worker = createBackfillWorker(deps, { connection: { url: config.redis.url }, prefix: config.queuePrefix, concurrency: 1, logger });
  const stopBeat = startHeartbeat(deps.redis, deps.keys, 'backfill', `${os.hostname()}:${process.pid}`);
  logger.info({ docsPerSec: config.docsPerSec, slices: config.slices }, 'backfill worker started');
  const shutdown = async () => {
    logger.info('backfill worker stopping');
    await worker.close();
    await stopBeat();
    await deps.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err: unknown) => {
  process.stderr.write(`backfill worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
