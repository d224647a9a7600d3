// Composition root of the search service: config validated once, one
// upstream client, the live ruleset and takedown tracker started, then listen.
import { createLogger, loadConfig, searchEnvVars } from '@takedown/shared';
import { createSearchApp } from './app';
import { buildSearchDeps } from './build-deps';
import type { SearchConfig } from './deps';

async function main(): Promise<void> {
  const config = loadConfig<SearchConfig>(process.env, searchEnvVars);
  const logger = createLogger({ name: 'search', level: config.logLevel });
  const deps = await buildSearchDeps(config, logger);
  const server = createSearchApp(deps).listen(config.port, config.host, () => {
    logger.info({ port: config.port, indices: [...deps.indices], rulesetVersion: deps.rules.version ?? null }, 'search service listening');
  });
  server.keepAliveTimeout = 65_000;
  const shutdown = () => {
    logger.info('search service stopping');
    server.close(() => void deps.close().then(() => process.exit(0)));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`search service failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
