// Composition root of the DSA submitter: reads its config once, builds the
// clients and hands them to the submitter. Without TAKEDOWN_TDB_URL it
// submits nothing (statements stay pending) and says so.
import os from 'node:os';
import {
  ConfigError,
  StatementSubmissions,
  createProcessMetrics,
  serveWorkerMetrics,
  type WorkerMetricsConfig,
  createElasticsearch,
  createLogger,
  createRedisClient,
  dsaSubmitterEnvVars,
  ensureTakedownIndices,
  loadConfig,
  openModerationKeys,
  redisTarget,
  runProcess,
  startHeartbeat,
  submissionKeys,
  type CoreConfig,
} from '@takedown/shared';
import { TdbSubmitter } from './submitter';
import { createSubmitterMetrics } from './submitter-metrics';
import { createTdbClient, isSafeTdbUrl } from './tdb-client';

interface SubmitterConfig extends CoreConfig, WorkerMetricsConfig {
  tdb: { url?: string; token?: string; batchSize: number; intervalMs: number; timeoutMs: number; maxAttempts: number; backoffBaseMs: number; backoffCapMs: number };
}

runProcess('dsa submitter', async () => {
  const config = loadConfig<SubmitterConfig>(process.env, dsaSubmitterEnvVars);
  const logger = createLogger({ name: 'dsa-submitter', level: config.logLevel });
  const { tdb } = config;
  if (tdb.url && !tdb.token) throw new ConfigError('TAKEDOWN_TDB_TOKEN is required when TAKEDOWN_TDB_URL is set', 'TAKEDOWN_TDB_TOKEN');
  // The token travels in every call: plain http only to this machine (a local stand-in or a TLS-terminating sidecar).
  if (tdb.url && !isSafeTdbUrl(tdb.url)) throw new ConfigError('TAKEDOWN_TDB_URL must be https (http only to localhost)', 'TAKEDOWN_TDB_URL');
  const instance = `${os.hostname()}:${process.pid}`;
  const redis = createRedisClient(redisTarget(config.redis), { connectionName: 'dsa-submitter', maxRetriesPerRequest: null });
  const es = createElasticsearch(config.elasticsearch);
  const indices = await ensureTakedownIndices(es, config.indexPrefix, config.elasticsearch.replicas);
  const keys = await openModerationKeys(redis, config);
  const stopBeat = startHeartbeat(redis, keys, 'dsa-submitter', instance);
  const metrics = createProcessMetrics('dsa-submitter');
  const metricsServer = await serveWorkerMetrics({ name: 'dsa submitter', metrics, redis, keys, ...config.metrics, logger });
  let submitter: TdbSubmitter | undefined;
  if (tdb.url && tdb.token) {
    submitter = new TdbSubmitter(
      {
        statements: new StatementSubmissions(es, indices.statements),
        client: createTdbClient({ url: tdb.url, token: tdb.token, timeoutMs: tdb.timeoutMs }),
        redis,
        keys: submissionKeys(keys),
        instanceId: instance,
        logger,
        metrics: createSubmitterMetrics(metrics.registry),
      },
      { batchSize: tdb.batchSize, intervalMs: tdb.intervalMs, timeoutMs: tdb.timeoutMs, maxAttempts: tdb.maxAttempts, backoff: { baseMs: tdb.backoffBaseMs, capMs: tdb.backoffCapMs } },
    );
    submitter.start();
    // The host only: a URL may carry credentials in its user part.
    logger.info({ host: new URL(tdb.url).host, batchSize: tdb.batchSize, maxAttempts: tdb.maxAttempts }, 'dsa submitter started');
  } else {
    logger.warn('dsa submitter started with submission off: TAKEDOWN_TDB_URL is not set, statements stay pending');
  }
  return {
    async stop() {
      logger.info('dsa submitter stopping');
      await submitter?.stop();
      await metricsServer.stop();
      await stopBeat();
      redis.disconnect();
      await es.close();
    },
  };
});
