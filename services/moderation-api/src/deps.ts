import type { Client } from '@elastic/elasticsearch';
import type { Queue } from 'bullmq';
import type { LegalConfig, LegalPolicyConfig, FailedAuthLimiter, CaseStore, CatalogQueue, CoreConfig, DraftStore, Logger, Redis, RulesetStore, TakedownIndexNames, TokenStore } from '@takedown/shared';
import type { RulePool } from '@takedown/search-rules';
import type { LegalDesk } from './legal/legal-desk';
import type { RulePublisher } from './rules/publisher';

export interface ApiConfig extends CoreConfig {
  /** Failed token lookups per client address per minute before 429. */
  authFailuresPerMinute: number;
  port: number;
  host: string;
  leaseSeconds: number;
  /** The rule worker threads (TAKEDOWN_RULE_WORKERS, TAKEDOWN_RULE_TASK_TIMEOUT_MS, TAKEDOWN_RULE_TASK_QUEUE). */
  ruleWorkers: { size: number; taskTimeoutMs: number; maxQueued: number };
  /** The desk's policy and where the platform's subscriber data is (legalEnvVars). */
  legal: LegalPolicyConfig & LegalConfig['legal'];
}

/** Everything the routes use, built once by the composition root (main.ts) or a test. */
export interface ApiDeps {
  config: ApiConfig;
  logger: Logger;
  redis: Redis;
  es: Client;
  cases: CaseStore;
  tokens: TokenStore;
  /** Failed token lookups per client address (guard). */
  authLimiter: FailedAuthLimiter;
  rulesets: RulesetStore;
  drafts: DraftStore;
  /** Runs CPU-heavy rule work (import parsing, publish validation, preview matching) off the event loop. */
  rulePool: RulePool;
  /** Publishes rulesets with their backfill (routes and the first publish at boot). */
  publisher: RulePublisher;
  reports: CatalogQueue<'reports'>;
  actions: CatalogQueue<'actions'>;
  backfill: CatalogQueue<'backfill'>;
  indices: TakedownIndexNames;
  /** The legal desk: requests, approvals, packages, notices, transparency. */
  legal: LegalDesk;
  /** Every BullMQ queue, for depth and failure metrics. */
  queues: Queue[];
}
