// Composition root of the triage worker: config validated once, clients
// built here and passed down, everything closed on SIGTERM.
import os from 'node:os';
import {
  CaseMirror,
  CaseStore,
  CatalogQueue,
  ContentReader,
  LiveRuleset,
  RulesetStore,
  createElasticsearch,
  createLogger,
  createRedis,
  ensureTakedownIndices,
  loadConfig,
  moderationKeys,
  recordShadowHits,
  rulesetKeys,
  startHeartbeat,
  triageEnvVars,
  type CoreConfig,
} from '@takedown/shared';
import { compileStoredRuleset } from '@takedown/search-rules';
import { createTriageWorker } from './triage-worker';

interface TriageConfig extends CoreConfig {
  concurrency: number;
  leaseSeconds: number;
}

async function main(): Promise<void> {
  const config = loadConfig<TriageConfig>(process.env, triageEnvVars);
  const logger = createLogger({ name: 'triage', level: config.logLevel });
  const instance = `${os.hostname()}:${process.pid}`;
  const redis = createRedis(config.redis.url, { connectionName: 'triage', maxRetriesPerRequest: null });
  const subscriber = createRedis(config.redis.url, { connectionName: 'triage:rules', maxRetriesPerRequest: null });
  const es = createElasticsearch(config.elasticsearch);
  const indices = await ensureTakedownIndices(es, config.indexPrefix, config.elasticsearch.replicas);
  const keys = moderationKeys(config.queuePrefix);
  const cases = new CaseStore(redis, keys, config.leaseSeconds * 1000);
  const rules = new LiveRuleset({
    store: new RulesetStore(redis, rulesetKeys(config.queuePrefix)),
    subscriber,
    compile: (r) => compileStoredRuleset(r, { trusted: true }),
    logger,
  });
  await rules.start();
  const connection = { url: config.redis.url };
  const actions = new CatalogQueue('actions', connection, config.queuePrefix);
  const mirror = new CaseMirror(redis, cases, es, indices.cases, logger);
  mirror.start();
  const rkeys = rulesetKeys(config.queuePrefix);
  const onShadowHits = (version: number, hits: { ruleId: string }[], contentId: string) =>
    void recordShadowHits(redis, rkeys, version, hits, contentId, 'content').catch((err: unknown) => logger.warn({ err }, 'shadow count failed'));
  const worker = createTriageWorker({ cases, rules, actions, content: new ContentReader(es, config.contentIndex), onShadowHits }, { connection, prefix: config.queuePrefix, concurrency: config.concurrency, logger });
  const stopBeat = startHeartbeat(redis, keys, 'triage', instance);
  logger.info({ concurrency: config.concurrency, rulesetVersion: rules.version ?? null }, 'triage worker started');

  const shutdown = async () => {
    logger.info('triage worker stopping');
    await worker.close();
    await stopBeat();
    await mirror.stop();
    await rules.stop();
    await actions.close();
    redis.disconnect();
    subscriber.disconnect();
    await es.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((err: unknown) => {
  process.stderr.write(`triage worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
