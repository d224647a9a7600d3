import type { FeatureContext, FeatureDecision, SwitchState } from './feature';
import type { CompiledFeature, CompiledFeatures, CompiledRule } from './compile-features';

function applies(r: CompiledRule, ctx: FeatureContext, nowMs: number): boolean {
  if (nowMs >= r.expiresAtMs) return false;
  if (r.countries !== undefined && (ctx.country === undefined || !r.countries.has(ctx.country))) return false;
  if (r.platforms !== undefined && (ctx.platform === undefined || !r.platforms.has(ctx.platform))) return false;
  if (r.standing !== undefined && (ctx.standing === undefined || !r.standing.has(ctx.standing))) return false;
  if (r.ageAtLeast !== undefined || r.ageBelow !== undefined) {
    const age = ctx.accountAgeDays;
    // An age the caller did not send satisfies no age condition.
    if (typeof age !== 'number' || Number.isNaN(age)) return false;
    if (r.ageAtLeast !== undefined && age < r.ageAtLeast) return false;
    if (r.ageBelow !== undefined && age >= r.ageBelow) return false;
  }
  return true;
}

/**
 * A feature's state for one caller: the first applicable, unexpired rule in
 * precedence order (most specific, then off) decides; none applies → the
 * default. Pure, allocation-free (decisions are built at compile time).
 */
export function evaluateFeature(feature: CompiledFeature, ctx: FeatureContext, nowMs: number): FeatureDecision {
  const c = ctx ?? {};
  const rules = (c.country !== undefined && feature.byCountry.get(c.country)) || feature.anyCountry;
  for (const r of rules) if (applies(r, c, nowMs)) return r.decision;
  return feature.defaultDecision;
}

/** Every feature's decision for one caller, in the snapshot's order. */
export function evaluateAll(snapshot: CompiledFeatures, ctx: FeatureContext, nowMs: number): FeatureDecision[] {
  const out: FeatureDecision[] = [];
  for (const f of snapshot.features.values()) out.push(evaluateFeature(f, ctx, nowMs));
  return out;
}

/** A decision for a key no snapshot knows: never a throw. */
export function unknownFeature(key: string, state: SwitchState, reason: string): FeatureDecision {
  return { key, state, on: state === 'on', source: 'unknown_feature', reason };
}
