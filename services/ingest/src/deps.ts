import type { CoreConfig, IntakeConfig, PrincipalCache } from '@takedown/shared';
import type { IngestContext } from './ingest-batch';

export interface IngestConfig extends CoreConfig, IntakeConfig {
  /** Failed token lookups per client address per minute before 429. */
  authFailuresPerMinute: number;
  port: number;
  host: string;
  maxBodyBytes: number;
  maxDocBytes: number;
  maxStalenessMs: number;
  /** Per-request timeout of a round's read and bulk write towards Elasticsearch (no retry): past it, 503. */
  esTimeoutMs: number;
}

/** Everything the ingest service uses, built once by main.ts (or a test). */
export interface IngestDeps extends IngestContext {
  config: IngestConfig;
  /** Token lookups, cached briefly: every write is authenticated. */
  principals: PrincipalCache;
}
