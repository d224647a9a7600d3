import { compileRuleset, releaseRuleset } from '../compile';
import type { Rule } from '../rule';
import { diffRules, type RulesetDiff } from './diff';

/**
 * Validates every rule of a ruleset about to be published (and refuses
 * duplicates) by compiling it, then diffs it against the live rules. Throws
 * the compiler's ValidationError; no I/O, so it runs in a rule worker.
 */
export function checkPublish(input: { live: Rule[]; next: Rule[]; publishedAt: string; publishedBy: string; emojiWords?: Record<string, string> }): RulesetDiff {
  // The emoji table too: the rules are compiled with the table they will be published with.
  // Compiled only to validate: free its patterns now, not when the GC gets to it (the worker's RE2 heap is fixed).
  releaseRuleset(compileRuleset({ version: 1, rules: input.next, publishedAt: input.publishedAt, publishedBy: input.publishedBy, ...(input.emojiWords ? { emojiWords: input.emojiWords } : {}) }));
  return diffRules(input.live, input.next);
}
