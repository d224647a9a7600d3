/** What publishing one list of items over another changes, by id: a ruleset's rules, or the features. */
export interface ItemsDiff {
  added: string[];
  removed: string[];
  /** Item id → the fields that changed. */
  changed: { id: string; fields: string[] }[];
}

/** Compares the listed `fields` of items with the same id (JSON equality). */
export function diffItems<T>(previous: readonly T[], next: readonly T[], idOf: (item: T) => string, fields: readonly (keyof T & string)[]): ItemsDiff {
  const before = new Map(previous.map((r) => [idOf(r), r]));
  const after = new Map(next.map((r) => [idOf(r), r]));
  const diff: ItemsDiff = { added: [], removed: [], changed: [] };
  for (const [id, r] of after) {
    const old = before.get(id);
    if (!old) {
      diff.added.push(id);
      continue;
    }
    const changed = fields.filter((f) => JSON.stringify(old[f]) !== JSON.stringify(r[f]));
    if (changed.length > 0) diff.changed.push({ id, fields: changed });
  }
  for (const id of before.keys()) if (!after.has(id)) diff.removed.push(id);
  return diff;
}
