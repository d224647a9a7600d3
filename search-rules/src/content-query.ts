import type { Rule } from './rule';

/**
 * The Elasticsearch query that finds the content a content rule matches, on
 * the normalised field (moderation.normalizedText, filled with normalize()
 * of the text) or, for sha256 rules, the media hashes. Previews count with
 * it and the backfill tags with it, so a preview's count is what publishing
 * then tags. Plain JSON: this package does no I/O.
 */
export function contentRuleQuery(rule: Rule, normalizedPattern: string): Record<string, unknown> {
  const filter: Record<string, unknown>[] =
    rule.kind === 'sha256'
      ? [{ term: { 'media.sha256': rule.pattern.toLowerCase() } }]
      : [{ match_phrase: { 'moderation.normalizedText': normalizedPattern } }];
  if (rule.locales) filter.push({ terms: { lang: rule.locales } });
  return { bool: { filter } };
}

/** Content rules that tag documents when published: live, not shadow, content scope. */
export function isBackfillRule(rule: Rule): boolean {
  return rule.scope.includes('content') && rule.enabled !== false && rule.shadow !== true && rule.kind !== 'regex';
}
