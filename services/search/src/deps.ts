import type { Client } from '@elastic/elasticsearch';
import type { CompiledRuleset } from '@takedown/search-rules';
import type { FeatureClient } from '@takedown/features';
import type { CoreConfig, LiveRuleset, Logger, PrincipalCache, RedisClient, RulesetKeys } from '@takedown/shared';
import type { SearchMetrics } from './search-metrics';
import type { PendingRules } from './pending-rules';
import type { TakedownTracker } from './takedown-tracker';
import type { GeoFieldResolver } from './geo-field-resolver';
import type { UpstreamClient } from './upstream-client';
import type { QueryLog } from './query-log';

export interface SearchConfig extends CoreConfig {
  /** Failed token lookups per client address per minute before 429. */
  authFailuresPerMinute: number;
  port: number;
  host: string;
  searchIndices: string[];
  maxStalenessMs: number;
  /** Per-request timeout of a search, count or msearch towards Elasticsearch (no retry): past it, 503. */
  esTimeoutMs: number;
  /** How long a search index's mapping (field aliases, copy_to) is trusted by the geo gates before it is read again. */
  geoMappingTtlMs: number;
  /** The query log takes about one search in this many (1 = every search). */
  queryLogSampleEvery: number;
}

/** Everything the proxy uses, built once by main.ts (or a test). */
export interface SearchDeps {
  config: SearchConfig;
  logger: Logger;
  /** Elasticsearch for everything off the hot path (takedown checks, mappings, readiness): one client, never built per request. */
  es: Client;
  /** Elasticsearch for searches, counts and msearches: a keep-alive pool per node, each call bounded by esTimeoutMs. */
  upstream: UpstreamClient;
  /** Token lookups, cached briefly: every search is authenticated. */
  principals: PrincipalCache;
  /** For the query log and shadow counters (request path: fails fast). */
  redis: RedisClient;
  rulesetKeys: RulesetKeys;
  /** The sampled query texts rule previews replay, written once a second. */
  queryLog: QueryLog;
  rules: LiveRuleset<CompiledRuleset>;
  tracker: TakedownTracker;
  pending: PendingRules;
  metrics: SearchMetrics;
  /** Feature switches, held locally: those with `enforcement.search.geoFields` gate geo searches. */
  features: FeatureClient;
  /** Resolves geo clause fields through the target index's mapping (aliases, copy_to) for the geo gates. */
  geoFields: GeoFieldResolver;
  /** Exact index or alias names the platform may search. */
  indices: ReadonlySet<string>;
}
