import { PLATFORMS, compileFeature, evaluateFeature, specificityOf, type CompiledFeature, type Feature, type FeatureRule } from '@takedown/features';
import { COUNTRY_CODE_LIST } from '@takedown/shared';
import { diffFeatures } from './feature-diff';

/** A state as a preview shows it: `absent` when the feature is not published (clients answer their unknown-feature fallback). */
type Shown = 'on' | 'off' | 'absent';

export interface CellChange {
  country: string;
  platforms: string[];
  from: Shown;
  to: Shown;
  /** What decides in the draft: a rule id, `default`, or `absent`. */
  decidedBy: string;
}

export interface RuleConflict {
  /** Rules of equal specificity, opposite states, overlapping scopes. */
  rules: [string, string];
  specificity: number;
  /** Off wins a tie. */
  winner: string;
}

export interface FeaturePreview {
  key: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  /** Countries where the state changes for at least one platform (accounts of any age and standing). */
  countriesChanged: string[];
  changes: CellChange[];
  /** Ties the resolution settles (most specific wins, then off wins). */
  conflicts: RuleConflict[];
  /** Rules on account age or standing: they refine the grid for some accounts only, so the grid does not show them. */
  conditionalRules: string[];
}

function stateOf(f: CompiledFeature | undefined, country: string, platform: string, now: number): { state: Shown; decidedBy: string } {
  if (!f) return { state: 'absent', decidedBy: 'absent' };
  const d = evaluateFeature(f, { country, platform }, now);
  return { state: d.state, decidedBy: d.rule?.id ?? 'default' };
}

const overlaps = (a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean => !a || !b || a.some((x) => b.includes(x));

function agesOverlap(a: FeatureRule, b: FeatureRule): boolean {
  const lo = Math.max(a.accountAgeDaysAtLeast ?? 0, b.accountAgeDaysAtLeast ?? 0);
  const hi = Math.min(a.accountAgeDaysBelow ?? Infinity, b.accountAgeDaysBelow ?? Infinity);
  return lo < hi;
}

/** Pairs of rules that both apply to some caller, with the same specificity and opposite states: the tie off wins. */
export function conflictsOf(feature: Feature, now: number): RuleConflict[] {
  const live = feature.rules.filter((r) => r.expiresAt === undefined || Date.parse(r.expiresAt) > now);
  const out: RuleConflict[] = [];
  for (const [i, a] of live.entries()) {
    for (const b of live.slice(i + 1)) {
      if (a.state === b.state) continue;
      const specificity = specificityOf(a);
      if (specificity !== specificityOf(b)) continue;
      if (!overlaps(a.countries, b.countries) || !overlaps(a.platforms, b.platforms) || !overlaps(a.standing, b.standing) || !agesOverlap(a, b)) continue;
      const [off, on] = a.state === 'off' ? [a, b] : [b, a];
      out.push({ rules: [off.id, on.id], specificity, winner: off.id });
    }
  }
  return out;
}

/**
 * Which countries change, per feature: every country × platform evaluated
 * under the published and the draft features (for accounts of any age and
 * standing), the cells that differ grouped by country, with the rule that
 * decides in the draft.
 */
export function previewFeatures(published: readonly Feature[], draft: readonly Feature[], now = Date.now()): FeaturePreview[] {
  const before = new Map(published.map((f) => [f.key, f]));
  const after = new Map(draft.map((f) => [f.key, f]));
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changed = new Set(diffFeatures(published, draft).changed.map((c) => c.id));
  return keys.map((key) => {
    const b = before.get(key);
    const a = after.get(key);
    const cb = b && compileFeature(b);
    const ca = a && compileFeature(a);
    const changes: CellChange[] = [];
    for (const country of COUNTRY_CODE_LIST) {
      const byOutcome = new Map<string, CellChange>();
      for (const platform of PLATFORMS) {
        const from = stateOf(cb, country, platform, now);
        const to = stateOf(ca, country, platform, now);
        if (from.state === to.state) continue;
        const id = `${from.state}|${to.state}|${to.decidedBy}`;
        const cell = byOutcome.get(id);
        if (cell) cell.platforms.push(platform);
        else byOutcome.set(id, { country, platforms: [platform], from: from.state, to: to.state, decidedBy: to.decidedBy });
      }
      changes.push(...byOutcome.values());
    }
    const status = !b ? 'added' : !a ? 'removed' : changed.has(key) ? 'changed' : 'unchanged';
    return {
      key,
      status,
      countriesChanged: [...new Set(changes.map((c) => c.country))],
      changes,
      conflicts: a ? conflictsOf(a, now) : [],
      conditionalRules: (a?.rules ?? []).filter((r) => r.accountAgeDaysAtLeast !== undefined || r.accountAgeDaysBelow !== undefined || r.standing !== undefined).map((r) => r.id),
    };
  });
}
