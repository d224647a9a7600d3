import type { Feature, FeatureDecision, FeatureRule, FeatureSnapshot, SwitchState } from './feature';

/** A rule ready for evaluation: sets instead of arrays, times as numbers, its decision built once. */
export interface CompiledRule {
  id: string;
  specificity: number;
  off: boolean;
  countries: ReadonlySet<string> | undefined;
  platforms: ReadonlySet<string> | undefined;
  standing: ReadonlySet<string> | undefined;
  ageAtLeast: number | undefined;
  ageBelow: number | undefined;
  /** Epoch ms; Infinity when the rule never expires. */
  expiresAtMs: number;
  decision: FeatureDecision;
}

export interface CompiledFeature {
  key: string;
  /** In precedence order: the first that applies decides. */
  rules: CompiledRule[];
  /** The rules that can apply in a country (its own and those for every country), in precedence order: evaluation walks only these. */
  byCountry: ReadonlyMap<string, CompiledRule[]>;
  /** The rules for every country, for a caller whose country no rule names. */
  anyCountry: CompiledRule[];
  defaultDecision: FeatureDecision;
  failDecision: FeatureDecision;
  /** Fields whose geo searches the search service refuses while the feature is off (enforcement.search.geoFields). */
  searchGeoFields: ReadonlySet<string> | undefined;
}

export interface CompiledFeatures {
  version: number;
  publishedAt: string;
  features: ReadonlyMap<string, CompiledFeature>;
  /** The features that gate geo searches, so the search service checks only these. */
  searchGated: readonly CompiledFeature[];
}

/**
 * How many of a rule's dimensions are constrained: countries, platforms,
 * account age (either bound, or both, is one) and standing. 0..4.
 */
export function specificityOf(rule: FeatureRule): number {
  let n = 0;
  if (rule.countries !== undefined && rule.countries.length > 0) n++;
  if (rule.platforms !== undefined && rule.platforms.length > 0) n++;
  if (rule.accountAgeDaysAtLeast !== undefined || rule.accountAgeDaysBelow !== undefined) n++;
  if (rule.standing !== undefined && rule.standing.length > 0) n++;
  return n;
}

/**
 * Conflict resolution as an order: more constrained dimensions first; at
 * equal specificity `off` before `on`; then by id, so the deciding rule is
 * the same on every instance.
 */
export function comparePrecedence(a: { specificity: number; off: boolean; id: string }, b: { specificity: number; off: boolean; id: string }): number {
  if (a.specificity !== b.specificity) return b.specificity - a.specificity;
  if (a.off !== b.off) return a.off ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const setOf = (values: readonly string[] | undefined): ReadonlySet<string> | undefined => (values && values.length > 0 ? new Set(values) : undefined);

function decision(key: string, state: SwitchState, source: FeatureDecision['source'], extra: Partial<FeatureDecision> = {}): FeatureDecision {
  return Object.freeze({ key, state, on: state === 'on', source, ...extra });
}

export function compileRule(key: string, rule: FeatureRule): CompiledRule {
  const expires = rule.expiresAt === undefined ? Infinity : Date.parse(rule.expiresAt);
  return {
    id: rule.id,
    specificity: specificityOf(rule),
    off: rule.state === 'off',
    countries: setOf(rule.countries),
    platforms: setOf(rule.platforms),
    standing: setOf(rule.standing),
    ageAtLeast: rule.accountAgeDaysAtLeast,
    ageBelow: rule.accountAgeDaysBelow,
    // An unreadable time expires the rule rather than keeping it forever.
    expiresAtMs: Number.isNaN(expires) ? -Infinity : expires,
    decision: decision(key, rule.state, 'rule', { rule: Object.freeze({ id: rule.id, reason: rule.reason, legalReference: rule.legalBasis?.reference ?? '' }) }),
  };
}

export function compileFeature(feature: Feature): CompiledFeature {
  const rules = (feature.rules ?? []).map((r) => compileRule(feature.key, r)).sort(comparePrecedence);
  const byCountry = new Map<string, CompiledRule[]>();
  for (const r of rules) for (const c of r.countries ?? []) byCountry.set(c, []);
  // Filtering the sorted list keeps each country's list in precedence order.
  for (const [c, list] of byCountry) list.push(...rules.filter((r) => r.countries === undefined || r.countries.has(c)));
  return {
    key: feature.key,
    rules,
    byCountry,
    anyCountry: rules.filter((r) => r.countries === undefined),
    defaultDecision: decision(feature.key, feature.default === 'off' ? 'off' : 'on', 'default'),
    failDecision: decision(feature.key, feature.failMode === 'open' ? 'on' : 'off', 'fail_mode', { reason: `snapshot_stale: fail ${feature.failMode === 'open' ? 'open' : 'closed'}` }),
    searchGeoFields: setOf(feature.enforcement?.search?.geoFields),
  };
}

/** Compiles a stored version (validated when it was published). */
export function compileFeatures(snapshot: FeatureSnapshot): CompiledFeatures {
  const features = new Map<string, CompiledFeature>();
  for (const f of snapshot.rules ?? []) features.set(f.key, compileFeature(f));
  const searchGated = [...features.values()].filter((f) => f.searchGeoFields !== undefined);
  return { version: snapshot.version, publishedAt: snapshot.publishedAt, features, searchGated };
}
