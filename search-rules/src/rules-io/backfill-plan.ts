import { isBackfillRule } from '../content-query';
import type { Rule } from '../rule';

/** Fields whose change alters which documents a rule tags, or how. */
const MATCHING_FIELDS: (keyof Rule)[] = ['kind', 'pattern', 'locales', 'scope', 'action', 'enabled', 'shadow'];

export interface BackfillPlan {
  /** Rules whose matches must be tagged (new, or changed so that they match differently). */
  apply: string[];
  /** Rules whose existing tags must go (removed, or changed). */
  clear: string[];
  /** Of `apply`, the rules that hide or demote content: the search filters with them until the backfill ends. */
  pendingForSearch: string[];
}

/** What publishing `next` over `previous` asks of the backfill. */
export function planBackfill(previous: readonly Rule[], next: readonly Rule[]): BackfillPlan {
  const before = new Map(previous.map((r) => [r.id, r]));
  const after = new Map(next.map((r) => [r.id, r]));
  const plan: BackfillPlan = { apply: [], clear: [], pendingForSearch: [] };
  for (const [id, r] of after) {
    const old = before.get(id);
    const changed = !old || MATCHING_FIELDS.some((f) => JSON.stringify(old[f]) !== JSON.stringify(r[f]));
    if (!changed) continue;
    if (old && isBackfillRule(old)) plan.clear.push(id);
    if (isBackfillRule(r)) {
      plan.apply.push(id);
      if (r.action === 'exclude' || r.action === 'auto_remove' || r.action === 'demote') plan.pendingForSearch.push(id);
    }
  }
  for (const [id, old] of before) if (!after.has(id) && isBackfillRule(old)) plan.clear.push(id);
  return plan;
}
