import { compileRuleset, releaseRuleset } from '../compile';
import { csamSearchFilter, restrictedSearch } from '../csam-search';
import { match } from '../match';
import type { Rule } from '../rule';
import { diffRules, type RulesetDiff } from './diff';

export interface QueryPreviewInput {
  live: Rule[];
  draft: Rule[];
  /** At most this many added or changed rules are previewed. */
  maxRules: number;
  /** Samples kept per rule. */
  samples: number;
  /** The last logged searches. */
  queries: string[];
  /** For a caller without the csam grant: csamEverywhereRules of draft and live; a search they match is skipped by every rule. */
  csamEverywhere?: Rule[];
  /** The draft's emoji table (absent: the shipped one): rules and searches are read with the table they would be published with. */
  emojiWords?: Record<string, string>;
}

export interface QueryPreview {
  diff: RulesetDiff;
  /** The added then changed rules previewed (at most maxRules), in that order. */
  touched: { id: string; change: 'added' | 'changed' }[];
  /** The normalised pattern of each touched rule, by position. */
  normalizedPatterns: string[];
  /** Rule id → logged searches it matches, and the first few. */
  queryHits: Map<string, { n: number; samples: string[] }>;
}

/**
 * The CPU-heavy half of a rule preview, no I/O: the draft against the live
 * rules, the added and changed rules compiled, and every logged search
 * matched against them. Plain data in and out, so it runs in a rule worker.
 */
export function previewQueries(input: QueryPreviewInput): QueryPreview {
  const diff = diffRules(input.live, input.draft);
  const byId = new Map(input.draft.map((r) => [r.id, r]));
  const touched = [...diff.added.map((id) => ({ id, change: 'added' as const })), ...diff.changed.map((c) => ({ id: c.id, change: 'changed' as const }))].slice(0, input.maxRules);
  const rules = touched.map((t) => byId.get(t.id) as Rule);
  // Preview what each rule would do if it acted: shadow and disabled ones too.
  const compiled = compileRuleset({ version: 1, rules: rules.map((r) => ({ ...r, shadow: false, enabled: true })), publishedAt: new Date().toISOString(), publishedBy: 'preview', ...(input.emojiWords ? { emojiWords: input.emojiWords } : {}) }, { trusted: true });
  const csam = input.csamEverywhere ? csamSearchFilter(input.csamEverywhere) : undefined;
  const queryHits = new Map<string, { n: number; samples: string[] }>();
  // Compiled for this preview only: free its patterns now, not when the GC gets to it (the worker's RE2 heap is fixed).
  try {
    const csam = input.csamEverywhere ? csamSearchFilter(input.csamEverywhere) : undefined;
    for (const q of input.queries) {
      if (csam && restrictedSearch(csam, q)) continue;
      for (const ruleId of new Set(match(compiled, q, 'query').map((h) => h.ruleId))) {
        const e = queryHits.get(ruleId) ?? { n: 0, samples: [] };
        e.n++;
        if (e.samples.length < input.samples) e.samples.push(q);
        queryHits.set(ruleId, e);
      }
    }
  } finally {
    releaseRuleset(compiled);
  }
  return { diff, touched, normalizedPatterns: [...compiled.normalizedPatterns], queryHits };
}
