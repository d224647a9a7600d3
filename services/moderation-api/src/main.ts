// Composition root of the moderation API: config validated once, clients
// built once, the case mirror and lease reaper started, then listen.
import { CaseMirror, apiEnvVars, createLogger, loadConfig } from '@takedown/shared';
import { shippedRules } from '@takedown/search-rules';
import { createApp } from './app';
import { buildApiDeps } from './build-deps';
import { RulePublisher } from './rules/publisher';
import type { ApiConfig } from './deps';

async function main(): Promise<void> {
  const config = loadConfig<ApiConfig>(process.env, apiEnvVars);
  const logger = createLogger({ name: 'moderation-api', level: config.logLevel });
  const deps = await buildApiDeps(config, logger);
  // A new install never runs without rules: the shipped lists become v1, back-filled like any publish.
  const publisher = new RulePublisher(deps);
  const seeded = await publisher.publishFirst(() => shippedRules(new Date().toISOString(), 'takedown'), 'takedown');
  if (seeded) logger.info({ version: seeded.version, rules: seeded.rules.length }, 'no ruleset was published; published the shipped lists');
  else await publisher.backfillIfBehind();
  const mirror = new CaseMirror(deps.redis, deps.cases, deps.es, deps.indices.cases, logger);
  mirror.start();
  // Expired leases also return on every claim; this catches queues nobody is claiming from.
  const reaper = setInterval(() => void deps.cases.reap().catch((err: unknown) => logger.error({ err }, 'lease reap failed')), 5000);
  const server = createApp(deps).listen(config.port, config.host, () => {
    logger.info({ port: config.port, host: config.host }, 'moderation API listening');
  });
  const shutdown = () => {
    logger.info('moderation API stopping');
    clearInterval(reaper);
    server.close(() => {
      void mirror.stop().then(() => deps.close()).then(() => process.exit(0));
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`moderation API failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
