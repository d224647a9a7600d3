import type { GeoUse } from '@takedown/search-rules';
import type { SearchGeoGate } from '@takedown/features';
import { EsRefusal, UnavailableError } from '@takedown/shared';
import type { SearchDeps } from './deps';
import type { CallerContext } from './filter-search';
import type { GeoFieldView } from './geo-field-resolver';

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

/** Does a clause on `field` read a gated field (as written, through an alias, via copy_to / a multi-field, or maybe through a runtime field's script)? */
export function readsGatedField(gated: ReadonlySet<string>, use: GeoUse, view: GeoFieldView): boolean {
  // A runtime field's script can compute points from any field: fail closed.
  if (gated.size > 0 && view.isRuntime(use.field)) return true;
  const resolved = new Set<string>();
  // A gated name that is itself an alias gates the field it names.
  for (const g of gated) for (const t of view.targets(g)) resolved.add(t);
  for (const s of view.sources(use.field)) if (resolved.has(s)) return true;
  return false;
}

/**
 * Refuses a geo search (any geo query, aggregation or sort reading a field a
 * feature's `enforcement.search.geoFields` names) where that feature is off
 * for the caller. Fails closed: a caller without `X-Takedown-Country` may
 * not search gated fields at all (400 `country_required`), and a service that
 * has never heard from Redis about switches answers 503 rather than guess.
 * Field names are resolved through the target index's mapping (aliases,
 * copy_to), read only when a gate applies; unreadable mapping → 503.
 * A search with no geo construct is never affected.
 */
export async function checkGeoGates(deps: SearchDeps, caller: CallerContext, geo: readonly GeoUse[], index: string): Promise<FeatureBlocked | undefined> {
  if (geo.length === 0) return undefined;
  const features = deps.features;
  if (!features.answered) throw new UnavailableError('the feature switches have not been read yet', 'features_unavailable');
  const gates: { key: string; geoFields: ReadonlySet<string>; decision: SearchGeoGate['decision'] | undefined }[] =
    caller.country === undefined
      ? features.searchGeoGated().map((g) => ({ ...g, decision: undefined }))
      : features.searchGeoGates({ country: caller.country, ...(caller.platform ? { platform: caller.platform } : {}) });
  // Hot path: no gate applies to this caller, so no mapping read.
  if (gates.length === 0) return undefined;
  const view = await deps.geoFields.view(index);
  for (const gate of gates) {
    const use = geo.find((u) => readsGatedField(gate.geoFields, u, view));
    if (!use) continue;
    const d = gate.decision;
    if (d === undefined || caller.country === undefined) {
      throw new EsRefusal(400, 'illegal_argument_exception', `a geo search on [${use.field.slice(0, 100)}] needs X-Takedown-Country: feature ${gate.key} may be off in the caller's country`, 'country_required', { takedown: { feature: gate.key, path: use.at ?? '' } }, 'x-takedown-country');
    }
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
