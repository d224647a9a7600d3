import type { Rule } from './rule';

/**
 * The Elasticsearch query that finds the content a content rule matches, on
 * the normalised field (moderation.normalizedText, filled with normalize()
 * of the text) or, for sha256 rules, the media hashes. Previews count with
 * it and the backfill tags with it, so a preview's count is what publishing
 * then tags. Plain JSON: this package does no I/O.
 */
export function contentRuleQuery(rule: Rule, normalizedPattern: string): Record<string, unknown> {
  if (rule.kind === 'regex') {
    // Lucene's regexp syntax and semantics differ from RE2's (anchoring, classes, \d): no query would match what the matcher matches.
    throw new Error(`rule ${rule.id}: regex rules have no Elasticsearch query; they match in content scans only (see hasContentQuery)`);
  }
  const filter: Record<string, unknown>[] =
    rule.kind === 'sha256' || rule.kind === 'pdq'
      ? [mediaHashClause(rule)]
      : [{ match_phrase: { 'moderation.normalizedText': normalizedPattern } }];
  if (rule.locales) filter.push(localeFilter(rule.locales));
  return { bool: { filter } };
}

/**
 * A media hash rule as an Elasticsearch clause. Platforms store hashes in
 * either case; rules hold them lower-case. A pdq rule finds only exact
 * copies of its hash here (Elasticsearch has no Hamming distance without a
 * script): previews and backfills undercount near-duplicates, which the
 * ingest and triage scans match by distance.
 */
export function mediaHashClause(rule: Pick<Rule, 'kind' | 'pattern'>): Record<string, unknown> {
  const field = rule.kind === 'pdq' ? 'media.pdq' : 'media.sha256';
  return { term: { [field]: { value: rule.pattern.toLowerCase(), case_insensitive: true } } };
}

/**
 * The documents a locale-scoped rule applies to, as the matcher decides it:
 * those with no language, and those whose language's base subtag is one of
 * `locales` whatever its case or region ("fr", "FR", "fr-CA", "fr_BE").
 */
export function localeFilter(locales: readonly string[]): Record<string, unknown> {
  return {
    bool: {
      should: [
        { bool: { must_not: [{ exists: { field: 'lang' } }] } },
        { term: { lang: '' } },
        ...locales.flatMap((l) => [
          { term: { lang: { value: l, case_insensitive: true } } },
          { prefix: { lang: { value: `${l}-`, case_insensitive: true } } },
          { prefix: { lang: { value: `${l}_`, case_insensitive: true } } },
        ]),
      ],
      minimum_should_match: 1,
    },
  };
}

/** Whether contentRuleQuery can express the rule: every kind but regex (RE2 is not Lucene regexp). */
export function hasContentQuery(rule: Pick<Rule, 'kind'>): boolean {
  return rule.kind !== 'regex';
}

/**
 * Content rules that tag documents when published: live, not shadow, content
 * scope, with an Elasticsearch query. Regex rules have none: publishing
 * one starts a full rescan instead (planBackfill's fullScan).
 */
export function isBackfillRule(rule: Rule): boolean {
  return rule.scope.includes('content') && rule.enabled !== false && rule.shadow !== true && hasContentQuery(rule);
}

/**
 * Documents a backfill of `version` must scan in full: those never scanned
 * (written around Takedown, or before it), and those scanned with an older
 * version but written since `sinceMs` (around the publish, while ingest
 * instances were switching to it).
 * Placeholders carry a decision and no content: nothing to scan.
 */
export function needsScanQuery(version: number, sinceMs: number): Record<string, unknown> {
  return {
    bool: {
      should: [
        { bool: { must_not: [{ exists: { field: 'moderation.scannedVersion' } }] } },
        { bool: { filter: [{ range: { 'moderation.scannedVersion': { lt: version } } }, { range: { 'moderation.updatedAt': { gte: new Date(sinceMs).toISOString() } } }] } },
      ],
      minimum_should_match: 1,
      must_not: [{ term: { 'moderation.placeholder': true } }],
    },
  };
}

/**
 * What needsScanQuery finds, and every document carrying a PDQ hash: a pdq
 * list gained or changed hashes, and only a scan matches by distance.
 */
export function needsScanOrPdqQuery(version: number, sinceMs: number): Record<string, unknown> {
  return {
    bool: {
      should: [needsScanQuery(version, sinceMs), { exists: { field: 'media.pdq' } }],
      minimum_should_match: 1,
      must_not: [{ term: { 'moderation.placeholder': true } }],
    },
  };
}

/** Every document with content (placeholders carry a decision and nothing to scan): an operator's full rescan. */
export function allContentQuery(): Record<string, unknown> {
  return { bool: { must_not: [{ term: { 'moderation.placeholder': true } }] } };
}
