import { compileRuleset, type CompiledRuleset } from './compile';
import { match } from './match';
import type { Rule } from './rule';

/** What tells a search restricted to the csam grant apart: every csam rule acting everywhere, and the known csam hashes. */
export interface CsamSearchFilter {
  csamMatcher: CompiledRuleset;
  /** Known csam hashes (sha256 rules), lower-case. */
  csamHashes: ReadonlySet<string>;
}

/**
 * Every csam rule (draft and live), deduplicated and acting everywhere,
 * whatever its scope, locales, countries, expiry, shadow or enabled flag.
 */
export function csamEverywhereRules(allRules: readonly Rule[]): Rule[] {
  const csamRules = allRules.filter((r) => r.category === 'csam');
  const unique = [...new Map(csamRules.map((r) => [`${r.kind}\u0000${r.pattern}`, r])).values()];
  return unique.map((r, i): Rule => ({ id: `csam-${i}`, kind: r.kind, pattern: r.pattern, category: 'csam', scope: ['query', 'content'], action: r.action, createdBy: r.createdBy, createdAt: r.createdAt }));
}

/** The filter for rules from csamEverywhereRules (the API and the rule worker build it the same way). */
export function csamSearchFilter(everywhere: readonly Rule[]): CsamSearchFilter {
  const csamMatcher = compileRuleset({ version: 1, rules: [...everywhere], publishedAt: new Date().toISOString(), publishedBy: 'preview' }, { trusted: true });
  const csamHashes = new Set(everywhere.filter((r) => r.kind === 'sha256' || r.kind === 'pdq').map((r) => r.pattern.toLowerCase()));
  return { csamMatcher, csamHashes };
}

/** Whether a csam rule matches this logged search (a known csam hash in it counts too). */
export function restrictedSearch(r: CsamSearchFilter, q: string): boolean {
  if (match(r.csamMatcher, q, 'query', { anyCountry: true }).length > 0) return true;
  return r.csamHashes.size > 0 && (q.toLowerCase().match(/[0-9a-f]{64}/g) ?? []).some((h) => r.csamHashes.has(h));
}
