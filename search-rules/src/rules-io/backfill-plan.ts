import { hasContentQuery, isBackfillRule } from '../content-query';
import { PDQ_DEFAULT_THRESHOLD, type Rule } from '../rule';
import { searchEffect } from '../scan-content';

/** Fields whose change alters which documents a rule tags, or how. */
const MATCHING_FIELDS: (keyof Rule)[] = ['kind', 'pattern', 'locales', 'scope', 'action', 'untilReviewed', 'countries', 'expiresAt', 'enabled', 'shadow'];

export interface BackfillPlan {
  /** Rules whose matches must be tagged (new, or changed so that they match differently). */
  apply: string[];
  /** Rules whose existing tags must go (removed, or changed). */
  clear: string[];
  /** Of `apply`, the rules that hide or demote content: the search filters with them until the backfill ends. */
  pendingForSearch: string[];
  /**
   * Live content rules without an Elasticsearch query (regex) that were
   * added, changed or removed: no query finds their matches, so the
   * backfill re-scans every document (a full sweep) to tag and untag them.
   */
  fullScan: string[];
  /**
   * Live pdq content rules added or changed with a threshold above 0: the
   * apply pass finds exact copies of the hash only (a term query), so the
   * backfill also scans every document carrying a PDQ hash for near copies.
   */
  mediaScan: string[];
}

const pdqThreshold = (rule: Rule): number | undefined => (rule.kind === 'pdq' ? (rule.hashList?.threshold ?? PDQ_DEFAULT_THRESHOLD) : undefined);

/** A live content rule no Elasticsearch query can find the matches of: only scanning each document does. */
const scannedOnly = (rule: Rule): boolean => rule.scope.includes('content') && rule.enabled !== false && rule.shadow !== true && !hasContentQuery(rule);

/**
 * What publishing `next` asks of the backfill, given `previous`: the rules
 * every scanned document is known to be tagged with (the last version a
 * backfill finished, not merely the last published one). `recheck` names
 * rules an unfinished backfill may have half-tagged: they are cleared and
 * re-applied whatever their definitions.
 */
export function planBackfill(previous: readonly Rule[], next: readonly Rule[], recheck: Iterable<string> = []): BackfillPlan {
  const before = new Map(previous.map((r) => [r.id, r]));
  const after = new Map(next.map((r) => [r.id, r]));
  const again = new Set(recheck);
  const plan: BackfillPlan = { apply: [], clear: [], pendingForSearch: [], fullScan: [], mediaScan: [] };
  for (const [id, r] of after) {
    const old = before.get(id);
    const changed = !old || again.has(id) || MATCHING_FIELDS.some((f) => JSON.stringify(old[f]) !== JSON.stringify(r[f])) || pdqThreshold(old) !== pdqThreshold(r);
    if (!changed) continue;
    if (isBackfillRule(r) && (pdqThreshold(r) ?? 0) > 0) plan.mediaScan.push(id);
    if (scannedOnly(r) || (old && scannedOnly(old))) plan.fullScan.push(id);
    if ((old && isBackfillRule(old)) || again.has(id)) plan.clear.push(id);
    if (isBackfillRule(r)) {
      plan.apply.push(id);
      if (searchEffect(r) !== undefined) plan.pendingForSearch.push(id);
    }
  }
  for (const [id, old] of before) {
    if (after.has(id)) continue;
    if (isBackfillRule(old)) plan.clear.push(id);
    if (scannedOnly(old)) plan.fullScan.push(id);
  }
  for (const id of again) if (!after.has(id) && !before.has(id)) plan.clear.push(id);
  return plan;
}
