import type { Rule } from '../rule';

export interface RulesetDiff {
  added: string[];
  removed: string[];
  /** Rule id → the fields that changed. */
  changed: { id: string; fields: string[] }[];
}

const FIELDS: (keyof Rule)[] = ['kind', 'pattern', 'category', 'scope', 'action', 'locales', 'countries', 'expiresAt', 'enabled', 'shadow', 'note'];

/** What publishing `next` over `previous` changes, by rule id. */
export function diffRules(previous: readonly Rule[], next: readonly Rule[]): RulesetDiff {
  const before = new Map(previous.map((r) => [r.id, r]));
  const after = new Map(next.map((r) => [r.id, r]));
  const diff: RulesetDiff = { added: [], removed: [], changed: [] };
  for (const [id, r] of after) {
    const old = before.get(id);
    if (!old) {
      diff.added.push(id);
      continue;
    }
    const fields = FIELDS.filter((f) => JSON.stringify(old[f]) !== JSON.stringify(r[f]));
    if (fields.length > 0) diff.changed.push({ id, fields });
  }
  for (const id of before.keys()) if (!after.has(id)) diff.removed.push(id);
  return diff;
}
