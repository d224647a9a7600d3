// Composition root of the backfill worker.
import os from 'node:os';
import {
  RulesetStore,
  backfillEnvVars,
  createElasticsearch,
  createLogger,
  createRedis,
  ensureContentIndex,
  loadConfig,
  moderationKeys,
  rulesetKeys,
  startHeartbeat,
  type CoreConfig,
} from '@takedown/shared';
import { createBackfillWorker } from './backfill-worker';

interface BackfillConfig extends CoreConfig {
  docsPerSec: number;
  slices: number;
}

async function main(): Promise<void> {
  const config = loadConfig<BackfillConfig>(process.env, backfillEnvVars);
  const logger = createLogger({ name: 'backfill', level: config.logLevel });
  const redis = createRedis(config.redis.url, { connectionName: 'backfill', maxRetriesPerRequest: null });
  const es = createElasticsearch(config.elasticsearch);
  await ensureContentIndex(es, config.contentIndex, config.elasticsearch.replicas);
  const rulesets = new RulesetStore(redis, rulesetKeys(config.queuePrefix));
  const worker = createBackfillWorker(
    { es, redis, rulesets, contentIndex: config.contentIndex, docsPerSec: config.docsPerSec, slices: config.slices },
    { connection: { url: config.redis.url }, prefix: config.queuePrefix, concurrency: 1, logger },
  );
  const stopBeat = startHeartbeat(redis, moderationKeys(config.queuePrefix), 'backfill', `${os.hostname()}:${process.pid}`);
  logger.info({ docsPerSec: config.docsPerSec, slices: config.slices }, 'backfill worker started');
  const shutdown = async () => {
    logger.info('backfill worker stopping');
    await worker.close();
    await stopBeat();
    redis.disconnect();
    await es.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err: unknown) => {
  process.stderr.write(`backfill worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
