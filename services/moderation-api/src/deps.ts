import type { RequestHandler } from 'express';
import type { Client } from '@elastic/elasticsearch';
import type { Queue } from 'bullmq';
import type { RateLimitsConfig, AdminSessionStore, LegalConfig, LegalPolicyConfig, FailedAuthLimiter, CaseStore, CatalogQueue, CoreConfig, DraftStore, IntakeConfig, Logger, RedisClient, RulesetStore, TakedownIndexNames, TokenStore, ProcessMetrics } from '@takedown/shared';
import type { RulePool } from '@takedown/search-rules';
import type { LegalDesk } from './legal/legal-desk';
import type { RulePublisher } from './rules/publisher';
import type { CompiledFeatures } from '@takedown/features';
import type { CompiledRuleset } from '@takedown/search-rules';
import type { PublishedCompiled } from './rules/published-compiled';
import type { StatsConfig } from './stats/stats-config';

export interface ApiConfig extends CoreConfig, IntakeConfig {
  /** Failed token lookups per client address per minute before 429. */
  authFailuresPerMinute: number;
  /** Per-token limits on intake and claims (TAKEDOWN_RATE_*); absent = off (tests and benches that build deps themselves). */
  rateLimits?: RateLimitsConfig;
  port: number;
  host: string;
  leaseSeconds: number;
  /** Bound (ms, no retry) on one Elasticsearch request of an API request; past it the request answers 503. */
  esTimeoutMs: number;
  /** The same for requests that count or read over a whole index or read large documents (previews, audit verification, the legal desk). */
  esScanTimeoutMs: number;
  /** The rule worker threads (TAKEDOWN_RULE_WORKERS, TAKEDOWN_RULE_TASK_TIMEOUT_MS, TAKEDOWN_RULE_TASK_QUEUE). */
  ruleWorkers: { size: number; taskTimeoutMs: number; maxQueued: number };
  /** Dashboard history (TAKEDOWN_STATS_*); absent = the defaults (tests that build deps themselves). */
  stats?: StatsConfig;
  /** The desk's policy and where the platform's subscriber data is (legalEnvVars). */
  legal: LegalPolicyConfig & LegalConfig['legal'];
}

/** Everything the routes use, built once by the composition root (main.ts) or a test. */
export interface ApiDeps {
  config: ApiConfig;
  logger: Logger;
  redis: RedisClient;
  /** Elasticsearch for request handlers: each call bounded by esTimeoutMs, never retried (a hung node answers 503, not after 3 × 30 s). */
  es: Client;
  /** The same pool, bounded by esScanTimeoutMs: rule previews, audit-chain verification, the legal desk. */
  esScan: Client;
  cases: CaseStore;
  tokens: TokenStore;
  /** Job-board sessions: what the board's cookie stands for. */
  adminSessions: AdminSessionStore;
  /** Failed token lookups per client address (guard). */
  authLimiter: FailedAuthLimiter;
  /** Per-token limits as middleware, run after guard. */
  limits: { intake: RequestHandler; claims: RequestHandler };
  rulesets: RulesetStore;
  drafts: DraftStore;
  /** Runs CPU-heavy rule work (import parsing, publish validation, preview matching) off the event loop. */
  rulePool: RulePool;
  /** Hashes uploaded images (POST /v1/media/pdq) off the event loop; apart from rulePool so a publish never waits behind images, or images behind a publish. */
  mediaPool: RulePool;
  /** Publishes rulesets with their backfill (routes and the first publish at boot). */
  publisher: RulePublisher;
  /** Feature switches: the rules machinery under the `features` keys (items are features, named by key). */
  features: { store: RulesetStore; drafts: DraftStore; published: PublishedCompiled<CompiledFeatures> };
  /** The live content rules compiled (the upload gate matches media hashes against them). */
  publishedRules: PublishedCompiled<CompiledRuleset>;
  reports: CatalogQueue<'reports'>;
  actions: CatalogQueue<'actions'>;
  backfill: CatalogQueue<'backfill'>;
  indices: TakedownIndexNames;
  /** The legal desk: requests, approvals, packages, notices, transparency. */
  legal: LegalDesk;
  /** Every BullMQ queue, for depth and failure metrics. */
  queues: Queue[];
  /** This process's Prometheus registry (Node's process and runtime metrics); the figures from Redis are added per scrape. */
  metrics: ProcessMetrics;
}
