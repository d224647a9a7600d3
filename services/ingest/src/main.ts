// Composition root of the ingest service: config validated once, one
// Elasticsearch client, the live ruleset started, then listen.
import { createLogger, ingestEnvVars, loadConfig } from '@takedown/shared';
import { createIngestApp } from './app';
import { buildIngestDeps } from './build-deps';
import type { IngestConfig } from './deps';

async function main(): Promise<void> {
  const config = loadConfig<IngestConfig>(process.env, ingestEnvVars);
  const logger = createLogger({ name: 'ingest', level: config.logLevel });
  const deps = await buildIngestDeps(config, logger);
  const server = createIngestApp(deps).listen(config.port, config.host, () => {
    logger.info({ port: config.port, index: config.contentIndex, rulesetVersion: deps.rules.version ?? null }, 'ingest service listening');
  });
  server.keepAliveTimeout = 65_000;
  // A bulk can take a while to scan and store; never longer than this.
  server.requestTimeout = 5 * 60_000;
  const shutdown = () => {
    logger.info('ingest service stopping');
    server.close(() => void deps.close().then(() => process.exit(0)));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest service failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
