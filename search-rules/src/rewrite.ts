import { HIDDEN_STATES, type Category } from '@takedown/shared';
import type { CompiledRuleset } from './compile';
import { checkSearchTexts } from './block/block-check';
import { guardSearch, textOf, uncapExpansions, type GeoUse, type GuardContext } from './guard';
import { ruleApplies, toMillis, type Hit } from './match';
import type { Rule } from './rule';
import { mediaHashClause } from './content-query';
import { searchEffect } from './scan-content';

export interface RewriteContext extends GuardContext {
  /** Caller's country (ISO 3166-1 alpha-2). Unknown → documents restricted anywhere are hidden. */
  country?: string;
  /** The caller's language: accepted, and never narrows refusals (every language's rules apply). */
  locale?: string;
  /** Ids taken down since Elasticsearch's last refresh. */
  recentlyRemovedIds?: Iterable<string>;
  /** Content rules published but not yet back-filled onto documents. */
  pendingContentRules?: readonly Rule[];
  now?: Date | number;
  /** Steps the refusal check may spend, shared across the bodies of one request (an msearch); CHECK_BUDGET per body when absent. */
  checkBudget?: { left: number };
}

/**
 * `queryText`: the texts searched for (from every text-bearing clause), for callers that log them;
 * `geo`: the geo queries, aggregations and sorts with their fields, for callers that gate them (feature switches).
 */
export type RewriteResult =
  | { blocked: true; ruleId: string; category: Category; reason: string; shadowHits: Hit[]; queryText: string[]; geo: GeoUse[] }
  | { blocked: false; body: Record<string, unknown>; shadowHits: Hit[]; queryText: string[]; geo: GeoUse[] };

/** How much a `suspected` document's score is kept (demotion, not exclusion). */
export const SUSPECTED_BOOST = 0.1;

type Obj = Record<string, unknown>;

/**
 * Blocks the search when its text hits a live `block_query` rule; otherwise
 * returns the body with the caller's query intact in `bool.must` and the
 * exclusions in `bool.must_not` at the top (filter context, cached by
 * Elasticsearch), suspected documents demoted. Guards the body first: a body
 * the guard refuses throws SearchGuardError.
 */
export function rewriteSearch(compiled: CompiledRuleset, body: unknown, ctx: RewriteContext = {}): RewriteResult {
  const { texts, caps, geo } = guardSearch(body, ctx);
  const input = uncapExpansions((body ?? {}) as Obj, caps);
  const queryText = texts.map(textOf);
  // Refusal fails closed on context: with no country, country-scoped rules
  // refuse everywhere; the caller's locale never switches a rule off (a
  // query's language is not known, so every language's rules apply).
  const check = checkSearchTexts(compiled, texts, { ...(ctx.country ? { country: ctx.country } : { anyCountry: true }), ...(ctx.now !== undefined ? { now: ctx.now } : {}) }, ctx.checkBudget);
  const shadowHits = check.shadowHits;
  if (check.hit) {
    return {
      blocked: true,
      ruleId: check.hit.ruleId,
      category: check.hit.category,
      reason: `query matches a ${check.hit.category} rule`,
      shadowHits,
      queryText,
      geo,
    };
  }

  // Removed and rule-excluded posts, and placeholders (a decision on content not yet indexed: no content to show).
  const mustNot: Obj[] = [{ terms: { 'moderation.state': [...HIDDEN_STATES] } }, { term: { 'moderation.placeholder': true } }];
  if (ctx.country) {
    mustNot.push({
      bool: {
        filter: [{ term: { 'moderation.state': 'restricted' } }, { term: { 'moderation.restrictedIn': ctx.country.toUpperCase() } }],
      },
    });
  } else {
    // Where the caller is unknown, content restricted anywhere stays hidden: fail closed.
    mustNot.push({ term: { 'moderation.state': 'restricted' } });
  }
  const recent = ctx.recentlyRemovedIds ? [...ctx.recentlyRemovedIds] : [];
  if (recent.length > 0) mustNot.push({ ids: { values: recent } });

  const nowMs = toMillis(ctx.now);
  const pendingDemote: Obj[] = [];
  for (const rule of ctx.pendingContentRules ?? []) {
    // A country-scoped rule hides where it applies, and wherever the caller's country is unknown (as restricted posts do).
    const where = ctx.country ? { country: ctx.country } : { anyCountry: true };
    // Regex rules are never pending (not backfilled, see isBackfillRule): no Elasticsearch query can express them.
    if (rule.shadow || rule.kind === 'regex' || !ruleApplies(rule, 'content', where, nowMs)) continue;
    let clause: Obj;
    if (rule.kind === 'sha256' || rule.kind === 'pdq') {
      clause = mediaHashClause(rule);
    } else {
      // Reuse the compiled pattern when this is the compiled rule itself (an id
      // lookup, not a scan of every rule on each search); else normalise it.
      const index = compiled.indexById.get(rule.id);
      const pattern =
        index !== undefined && compiled.rules[index] === rule
          ? compiled.normalizedPatterns[index]
          : compiled.normalizer.normalize(rule.pattern);
      if (!pattern) continue;
      clause = { match_phrase: { 'moderation.normalizedText': pattern } };
    }
    const effect = searchEffect(rule);
    if (effect === 'remove' || effect === 'hide') mustNot.push(clause);
    else if (effect === 'demote') pendingDemote.push(clause);
  }

  const original = input['query'] ?? { match_all: {} };
  const negative: Obj =
    pendingDemote.length === 0
      ? { term: { 'moderation.state': 'suspected' } }
      : { bool: { should: [{ term: { 'moderation.state': 'suspected' } }, ...pendingDemote], minimum_should_match: 1 } };
  const rewritten: Obj = {
    ...input,
    query: {
      bool: {
        must: [{ boosting: { positive: original, negative, negative_boost: SUSPECTED_BOOST } }],
        must_not: mustNot,
      },
    },
  };
  return { blocked: false, body: rewritten, shadowHits, queryText, geo };
}
