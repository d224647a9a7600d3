// Composition root of the search service: config validated once, one
// upstream client, the live ruleset and takedown tracker started, then listen.
import { createLogger, loadConfig, runProcess, searchEnvVars, serve } from '@takedown/shared';
import { restartOnRegexEngineFailure } from '@takedown/search-rules';
import { createSearchApp } from './app';
import { buildSearchDeps } from './build-deps';
import type { SearchConfig } from './deps';

runProcess('search service', async (control) => {
  const config = loadConfig<SearchConfig>(process.env, searchEnvVars);
  const logger = createLogger({ name: 'search', level: config.logLevel });
  // RE2 cannot be reloaded in place: regex matching fails closed until a fresh process takes over.
  restartOnRegexEngineFailure(logger, control);
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
