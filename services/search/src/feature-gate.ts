import type { GeoUse } from '@takedown/search-rules';
import { EsRefusal, UnavailableError } from '@takedown/shared';
import type { SearchDeps } from './deps';
import type { CallerContext } from './filter-search';

/** A search refused because a feature switch that gates geo searches is off for the caller. */
export interface FeatureBlocked {
  blocked: true;
  category: 'feature_off';
  /** The feature rule that switched it off, or `default:<key>` / `fail_mode:<key>`. */
  ruleId: string;
  reason: string;
  feature: string;
  /** The gated field and the JSON pointer of the clause that read it. */
  field: string;
  path: string;
  /** Why it is off: `rule`, `default` or `fail_mode` (snapshot stale). */
  source: string;
  legalReference?: string;
}

/**
 * Refuses a geo search (any geo query, aggregation or sort reading a field a
 * feature's `enforcement.search.geoFields` names) where that feature is off
 * for the caller. Fails closed: a caller without `X-Takedown-Country` may
 * not search gated fields at all (400 `country_required`), and a service that
 * has never heard from Redis about switches answers 503 rather than guess.
 * A search with no geo construct is never affected.
 */
export function checkGeoGates(deps: SearchDeps, caller: CallerContext, geo: readonly GeoUse[]): FeatureBlocked | undefined {
  if (geo.length === 0) return undefined;
  const features = deps.features;
  if (!features.answered) throw new UnavailableError('the feature switches have not been read yet', 'features_unavailable');
  if (caller.country === undefined) {
    for (const g of features.searchGeoGated()) {
      const use = geo.find((u) => g.geoFields.has(u.field));
      if (use) {
        throw new EsRefusal(400, 'illegal_argument_exception', `a geo search on [${use.field.slice(0, 100)}] needs X-Takedown-Country: feature ${g.key} may be off in the caller's country`, 'country_required', { takedown: { feature: g.key, path: use.at ?? '' } }, 'x-takedown-country');
      }
    }
    return undefined;
  }
  for (const gate of features.searchGeoGates({ country: caller.country, ...(caller.platform ? { platform: caller.platform } : {}) })) {
    const use = geo.find((u) => gate.geoFields.has(u.field));
    if (!use) continue;
    const d = gate.decision;
    return {
      blocked: true,
      category: 'feature_off',
      ruleId: d.rule?.id ?? `${d.source}:${gate.key}`,
      reason: `${gate.key} is off in ${caller.country}${d.rule ? `: ${d.rule.reason}` : d.reason ? `: ${d.reason}` : ''}`,
      feature: gate.key,
      field: use.field,
      path: use.at ?? '',
      source: d.source,
      ...(d.rule?.legalReference ? { legalReference: d.rule.legalReference } : {}),
    };
  }
  return undefined;
}
