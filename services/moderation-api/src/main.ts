// Composition root of the moderation API: config validated once, clients
// built once, the case mirror and lease reaper started, then listen.
import path from 'node:path';
import { CaseMirror, apiEnvVars, createLogger, ensureDevLegalKeys, legalKeys, loadConfig, runProcess, serve } from '@takedown/shared';
import { NORMALIZER_VERSION, restartOnRegexEngineFailure, shippedRules } from '@takedown/search-rules';
import { createApp } from './app';
import { buildApiDeps } from './build-deps';
import { StatsSampler } from './stats/stats-sampler';
import type { StatsConfig } from './stats/stats-config';
import type { ApiConfig } from './deps';

runProcess('moderation API', async (control) => {
  // The env spec gives every TAKEDOWN_STATS_* a default, so stats is always there here.
  const config = loadConfig<ApiConfig & { stats: StatsConfig }>(process.env, apiEnvVars);
  const logger = createLogger({ name: 'moderation-api', level: config.logLevel });
  // The upload gate matches with the live ruleset here; RE2 cannot be reloaded in place (rule workers replace their own threads).
  restartOnRegexEngineFailure(logger, control);
  // Disclosure packages are decrypted for download with the configured keys (development: the checkout's, under the data dir).
  const packageKeys = legalKeys(config.legal, config.env === 'production' ? undefined : ensureDevLegalKeys(path.resolve(process.env['TAKEDOWN_DATA_DIR'] || '.data', 'legal-keys')));
  const deps = await buildApiDeps(config, logger, { packageKeys });
  // A rule worker takes seconds to load: load it now, not on the first import or preview (tests leave it lazy).
  deps.rulePool.warm();
  // A new install never runs without rules: the shipped lists become v1, back-filled like any publish.
  const { publisher } = deps;
  const seeded = await publisher.publishFirst(() => shippedRules(new Date().toISOString(), 'takedown'), 'takedown');
  if (seeded) logger.info({ version: seeded.version, rules: seeded.rules.length }, 'no ruleset was published; published the shipped lists');
  else await publisher.backfillIfBehind();
  await publisher.rescanIfNormalizerChanged(NORMALIZER_VERSION, seeded !== undefined);
  const mirror = new CaseMirror(deps.redis, deps.cases, deps.esBackground, deps.indices.cases, logger);
  mirror.start();
  // Expired leases also return on every claim; this catches queues nobody is claiming from.
  const reaper = setInterval(() => void deps.cases.reap().catch((err: unknown) => logger.error({ err }, 'lease reap failed')), 5000);
  // The dashboard's history: every replica runs one; each slot is sampled once among them.
  const sampler = new StatsSampler(
    { redis: deps.redis, keys: deps.cases.keys, cases: deps.cases, blockedCounts: deps.rulesets.keys.blockedCounts, logger },
    { intervalMs: config.stats.intervalSeconds * 1000, retentionMs: config.stats.retentionDays * 86_400_000 },
  );
  sampler.start();
  return serve(createApp(deps), {
    port: config.port,
    host: config.host,
    logger,
    name: 'moderation API',
    close: async () => {
      clearInterval(reaper);
      await sampler.stop();
      await mirror.stop();
      await deps.close();
    },
  });
});
