import type { CompiledRuleset } from '../compile';
import { wordMask } from './term-pattern';

/**
 * The words and phrases of a ruleset's query-refusing rules, sorted, for
 * the checks that cannot hash a token (patterns, fuzzy terms, ranges): they
 * scan this list instead of every rule, and a fixed prefix narrows the scan
 * to a range found by binary search. Built once per compiled ruleset.
 */
export interface Lexicon {
  /** Distinct tokens of `block_query` rules, sorted, with their token ids. */
  readonly tokens: readonly string[];
  readonly ids: Int32Array;
  /** Per token, the characters it contains (wordMask), to skip tokens a pattern cannot match. */
  readonly masks: Int32Array;
  /** Normalised patterns of multi-word `block_query` rules, sorted, with their rule indices. */
  readonly phrases: readonly string[];
  readonly phraseRules: readonly number[];
  readonly phraseMasks: Int32Array;
  /** Each phrase's words (for phrases searched with slop). */
  readonly phraseWords: readonly (readonly string[])[];
}

const cache = new WeakMap<CompiledRuleset, Lexicon>();

export function lexiconOf(compiled: CompiledRuleset): Lexicon {
  let lex = cache.get(compiled);
  if (lex) return lex;
  const words = new Set<string>();
  const phrases: [string, number][] = [];
  compiled.rules.forEach((rule, index) => {
    // A regex rule's pattern is no word: it blocks searches through match(), not through this lexicon.
    if (rule.action !== 'block_query' || !rule.scope.includes('query') || rule.kind === 'sha256' || rule.kind === 'pdq' || rule.kind === 'regex') return;
    const pattern = compiled.normalizedPatterns[index] ?? '';
    if (pattern === '') return;
    for (const w of pattern.split(' ')) words.add(w);
    if (pattern.includes(' ')) phrases.push([pattern, index]);
  });
  const tokens = [...words].sort();
  phrases.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  lex = {
    tokens,
    ids: Int32Array.from(tokens, (t) => compiled.tokens.find(t)),
    masks: Int32Array.from(tokens, wordMask),
    phraseMasks: Int32Array.from(phrases, (p) => wordMask(p[0])),
    phraseWords: phrases.map((p) => p[0].split(' ')),
    phrases: phrases.map((p) => p[0]),
    phraseRules: phrases.map((p) => p[1]),
  };
  cache.set(compiled, lex);
  return lex;
}

/** Index range [lo, hi) of the entries of sorted `list` that start with `prefix`. */
export function prefixRange(list: readonly string[], prefix: string): [number, number] {
  if (prefix === '') return [0, list.length];
  const lo = lowerBound(list, prefix);
  let hi = lo;
  while (hi < list.length && (list[hi] as string).startsWith(prefix)) hi++;
  return [lo, hi];
}

/** First index whose entry is ≥ key. */
export function lowerBound(list: readonly string[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
