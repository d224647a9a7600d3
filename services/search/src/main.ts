// Composition root of the search service: config validated once, one
// upstream client, the live ruleset and takedown tracker started, then listen.
import { createLogger, loadConfig, runProcess, searchEnvVars, serve } from '@takedown/shared';
import { createSearchApp } from './app';
import { buildSearchDeps } from './build-deps';
import type { SearchConfig } from './deps';

runProcess('search service', async () => {
  const config = loadConfig<SearchConfig>(process.env, searchEnvVars);
  const logger = createLogger({ name: 'search', level: config.logLevel });
  const deps = await buildSearchDeps(config, logger);
  return serve(createSearchApp(deps), {
    port: config.port,
    host: config.host,
    logger,
    name: 'search service',
    listening: { indices: [...deps.indices], rulesetVersion: deps.rules.version ?? null },
    close: () => deps.close(),
  });
});
