// Composition root of the ingest service: config validated once, one
// Elasticsearch client, the live ruleset started, then listen.
import { createLogger, ingestEnvVars, loadConfig, runProcess, serve } from '@takedown/shared';
import { restartOnRegexEngineFailure } from '@takedown/search-rules';
import { createIngestApp } from './app';
import { buildIngestDeps } from './build-deps';
import type { IngestConfig } from './deps';

runProcess('ingest service', async (control) => {
  const config = loadConfig<IngestConfig>(process.env, ingestEnvVars);
  const logger = createLogger({ name: 'ingest', level: config.logLevel });
  // RE2 cannot be reloaded in place: regex matching fails closed until a fresh process takes over.
  restartOnRegexEngineFailure(logger, control);
  const deps = await buildIngestDeps(config, logger);
  return serve(createIngestApp(deps), {
    port: config.port,
    host: config.host,
    logger,
    name: 'ingest service',
    listening: { index: config.contentIndex, rulesetVersion: deps.rules.version ?? null },
    // A bulk can take a while to scan and store; never longer than this.
    requestTimeoutMs: 5 * 60_000,
    close: () => deps.close(),
  });
});
