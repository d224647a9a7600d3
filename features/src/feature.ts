/** A switch's state, and what a feature is when no rule applies. */
export type SwitchState = 'on' | 'off';

/** What clients assume for a feature when their snapshot is older than they allow: open → on, closed → off. */
export type FailMode = 'open' | 'closed';

/** Client platforms a rule can target. */
export const PLATFORMS = ['ios', 'android', 'web', 'desktop', 'api'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** An account's standing as the platform reports it, for rules that target it. */
export const ACCOUNT_STANDINGS = ['good', 'warned', 'restricted', 'suspended'] as const;
export type AccountStanding = (typeof ACCOUNT_STANDINGS)[number];

/** Why a rule exists, for the record: free text plus a citable reference (a court order, a statute, a policy section). */
export interface LegalBasis {
  text: string;
  reference: string;
}

/**
 * A refinement of a feature's default. Every condition given must hold for
 * the rule to apply; a condition left out constrains nothing. A condition on
 * an attribute the caller did not send (account age, standing) does not hold.
 */
export interface FeatureRule {
  /** Unique within its feature. */
  id: string;
  /** ISO 3166-1 alpha-2 codes. */
  countries?: string[];
  platforms?: Platform[];
  /** Applies to accounts at least this many days old. */
  accountAgeDaysAtLeast?: number;
  /** Applies to accounts younger than this many days. */
  accountAgeDaysBelow?: number;
  standing?: AccountStanding[];
  state: SwitchState;
  reason: string;
  legalBasis: LegalBasis;
  /** ISO time; from then on the rule is ignored. */
  expiresAt?: string;
}

/**
 * What Takedown's own services refuse while the feature is off for the
 * caller. `search.geoFields`: geo queries, geo aggregations and geo sorts on
 * these fields are refused by the search service (People Nearby locates
 * users through them).
 */
export interface FeatureEnforcement {
  search?: { geoFields: string[] };
}

export interface Feature {
  /** Slug: a-z, 0-9, _ (e.g. people_nearby). */
  key: string;
  description: string;
  default: SwitchState;
  failMode: FailMode;
  rules: FeatureRule[];
  enforcement?: FeatureEnforcement;
  /** Provenance, set by the server from the editor's token. */
  updatedBy?: string;
  updatedAt?: string;
}

/** Who is asking: the caller's country, its client platform, and optionally its account's age and standing. */
export interface FeatureContext {
  country?: string;
  platform?: string;
  accountAgeDays?: number;
  standing?: string;
}

/** How a decision came about. */
export type DecisionSource = 'rule' | 'default' | 'fail_mode' | 'unknown_feature';

export interface FeatureDecision {
  key: string;
  state: SwitchState;
  on: boolean;
  source: DecisionSource;
  /** The rule that decided (source `rule`). */
  rule?: { id: string; reason: string; legalReference: string };
  /** Why a fallback was used (sources `fail_mode` and `unknown_feature`). */
  reason?: string;
}

/** A published version of the features, as stored: the rules machinery's ruleset whose items are features. */
export interface FeatureSnapshot {
  version: number;
  publishedAt: string;
  rules: Feature[];
}
