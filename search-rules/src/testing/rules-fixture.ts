import type { Rule, Ruleset } from '../rule';

/** Builds a rule with sensible defaults, for tests and benchmarks. */
export function rule(id: string, pattern: string, extra: Partial<Rule> = {}): Rule {
  return {
    id,
    kind: pattern.includes(' ') ? 'phrase' : 'term',
    pattern,
    category: 'drugs',
    scope: ['query', 'content'],
    action: 'block_query',
    createdBy: 'lead-1',
    createdAt: '2026-11-01T00:00:00.000Z',
    ...extra,
  };
}

export function ruleset(rules: Rule[], version = 1): Ruleset {
  return { version, rules, publishedAt: '2026-11-01T00:00:00.000Z', publishedBy: 'lead-1' };
}

/** Letters the normaliser keeps as they are ('l' folds to 'i'; 'z' separates). */
const SYNTHETIC_LETTERS = 'abcdefghijkmnopqrstuvwxy';

/**
 * A distinct word for each integer that the normaliser leaves as it is:
 * letters only, never the same letter twice in a row.
 */
export function syntheticWord(n: number): string {
  let out = 'w';
  let v = n;
  do {
    out += `${SYNTHETIC_LETTERS[v % SYNTHETIC_LETTERS.length] as string}z`;
    v = Math.floor(v / SYNTHETIC_LETTERS.length);
  } while (v > 0);
  return out;
}
