import { diffItems, type ItemsDiff } from '@takedown/shared';
import type { Rule } from '../rule';

export type RulesetDiff = ItemsDiff;

const FIELDS: (keyof Rule & string)[] = ['kind', 'pattern', 'category', 'scope', 'action', 'locales', 'countries', 'expiresAt', 'enabled', 'shadow', 'note'];

/** What publishing `next` over `previous` changes, by rule id. */
export function diffRules(previous: readonly Rule[], next: readonly Rule[]): RulesetDiff {
  return diffItems(previous, next, (r) => r.id, FIELDS);
}
