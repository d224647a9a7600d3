import { createLogger, type CoreConfig } from '@takedown/shared';
import { buildSearchDeps, createSearchApp, type SearchDeps, type TakedownTrackerFaults } from '@takedown/search-service';
import { listenLocally } from './listen';

export interface SearchProxy {
  url: string;
  deps: SearchDeps;
  stop(): Promise<void>;
}

/** The search service in this process on an ephemeral port, over the given config. */
export async function startSearchProxy(config: CoreConfig, opts: { maxStalenessMs?: number; authFailuresPerMinute?: number; esTimeoutMs?: number; geoMappingTtlMs?: number; queryLogSampleEvery?: number; trackerFaults?: TakedownTrackerFaults } = {}): Promise<SearchProxy> {
  const logger = createLogger({ name: 'search-test', level: config.logLevel });
  const deps = await buildSearchDeps(
    { ...config, port: 0, host: '127.0.0.1', searchIndices: [], maxStalenessMs: opts.maxStalenessMs ?? 10000, esTimeoutMs: opts.esTimeoutMs ?? 1000, geoMappingTtlMs: opts.geoMappingTtlMs ?? 30_000, authFailuresPerMinute: opts.authFailuresPerMinute ?? 100_000, queryLogSampleEvery: opts.queryLogSampleEvery ?? 1 },
    logger,
    opts.trackerFaults ? { trackerFaults: opts.trackerFaults } : {},
  );
  return { ...(await listenLocally(createSearchApp(deps), () => deps.close())), deps };
}
