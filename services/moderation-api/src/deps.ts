import type { Client } from '@elastic/elasticsearch';
import type { Queue } from 'bullmq';
import type { LegalConfig, LegalPolicyConfig, FailedAuthLimiter, CaseStore, CatalogQueue, CoreConfig, DraftStore, Logger, Redis, RulesetStore, TakedownIndexNames, TokenStore } from '@takedown/shared';
import type { LegalDesk } from './legal/legal-desk';
import type { RulePublisher } from './rules/publisher';
import type { CompiledFeatures } from '@takedown/features';
import type { CompiledRuleset } from '@takedown/search-rules';
import type { PublishedCompiled } from './rules/published-compiled';

export interface ApiConfig extends CoreConfig {
  /** Failed token lookups per client address per minute before 429. */
  authFailuresPerMinute: number;
  port: number;
  host: string;
  leaseSeconds: number;
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
}
