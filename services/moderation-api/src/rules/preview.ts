import type { estypes } from '@elastic/elasticsearch';
import { UnavailableError, caseFromHash, caseIdFor, isCsamCase, pipelined, type Principal } from '@takedown/shared';
import { contentRuleQuery, csamEverywhereRules, csamSearchFilter, hasContentQuery, match, type CompiledRuleset, type Rule } from '@takedown/search-rules';

// Where the shadow view and older callers find it; it lives in search-rules, shared with the rule worker.
export { restrictedSearch } from '@takedown/search-rules';
import type { ApiDeps } from '../deps';
import { CSAM_LISTING_EXCLUSION } from '../routes/cases';

/** How many logged queries a preview replays, and how many samples it shows. */
export const PREVIEW_QUERIES = 10_000;
const SAMPLES = 5;
const MAX_RULES = 500;
/**
 * At most this many csam cases (and as many cases waiting to be mirrored)
 * are looked up to leave their content out of a preview for a caller
 * without the grant; beyond that the preview is refused (503), never
 * computed with some of them counted.
 */
export const PREVIEW_RESTRICTED_CASES = 10_000;
/** Runs of the content queries when a sample turns out restricted after all (the case mirror lagged): then it is excluded by id and the preview runs again. */
const RESTRICTION_ATTEMPTS = 3;

/** A sample shown as its id alone: the caller lacks the csam grant and the document is removed. */
export interface RedactedSample {
  id?: string;
  redacted: 'csam_grant_required' | 'removed';
  notice: string;
}

export const REDACTION_NOTICES: Readonly<Record<RedactedSample['redacted'], string>> = {
  csam_grant_required: 'Possible child sexual abuse material: shown only to tokens holding the csam grant.',
  removed: 'Removed content: its text is shown only to tokens holding the csam grant.',
};

/** What a preview says, once, to a caller without the csam grant: the same words whatever was left out, and whether anything was. */
export const RESTRICTED_NOTICE =
  'Documents and logged searches restricted to the csam grant (csam content, anything a csam rule matches, the content of a csam case) are left out of every count and sample: shown only to tokens holding the csam grant.';

/** Why a regex rule's content count is absent: Elasticsearch cannot run RE2; its matches are tagged by a full rescan after publishing. */
export const REGEX_CONTENT_NOTICE = 'A regex rule: its content matches are not counted here (Elasticsearch cannot run RE2). Publishing it starts a full rescan that tags the stored posts it matches; until that rescan reaches a post, the search does not filter it for this rule.';

/** What a csam rule's preview says to a caller without the grant: everything it matches is restricted, so its counts are 0. */
export const CSAM_RULE_NOTICE = 'A csam rule: everything it matches is restricted to the csam grant; its counts and samples are shown only to tokens holding the grant.';

export interface RulePreview {
  ruleId: string;
  change: 'added' | 'changed';
  kind: Rule['kind'];
  pattern: string;
  action: Rule['action'];
  scope: Rule['scope'];
  shadow: boolean;
  /** Content documents the rule matches (content scope), counted in Elasticsearch on moderation.normalizedText. */
  contentMatches: number | null;
  contentSamples: ({ id: string; text: string } | RedactedSample)[];
  /** Logged searches the rule would have matched (query scope). */
  queryMatches: number | null;
  querySamples: string[];
  /** A csam rule previewed without the grant: CSAM_RULE_NOTICE. */
  notice?: string;
}

/**
 * What a caller without the csam grant may not learn anything about, decided
 * before anything is counted: every content query leaves these documents out
 * in Elasticsearch (must_not), and logged searches a csam rule matches are
 * skipped, so no count, sample or id varies with what a restricted document
 * or search says.
 */
interface Restriction {
  /** Ids of csam rules, draft or live: a document whose moderation.ruleHits names one is restricted. */
  csamRuleIds: ReadonlySet<string>;
  /** Every csam rule (draft and live), acting everywhere (csamEverywhereRules): what the rule worker filters logged searches with. */
  csamEverywhere: Rule[];
  /** Those rules compiled: a search or document they match is restricted. */
  csamMatcher: CompiledRuleset;
  /** Known csam hashes (sha256 rules), lower-case. */
  csamHashes: ReadonlySet<string>;
  /** Content documents whose case is restricted as csam. */
  contentIds: Set<string>;
  /** The must_not clauses that do not depend on case state. */
  clauses: estypes.QueryDslQueryContainer[];
}

/**
 * The draft against the published version: for every added or changed rule,
 * what it would match in the content index and in the last logged searches.
 *
 * A caller without the csam grant is never told anything about restricted
 * documents or searches: csam content (moderation category csam, a recorded
 * hit of a csam rule), anything a csam rule (draft or live) matches, and the
 * content of a case restricted as csam (isCsamCase) are left out of every
 * count and sample, and the answer carries RESTRICTED_NOTICE. A removed
 * document that is not csam is still counted, its sample an id and a notice.
 */
export async function previewDraft(deps: ApiDeps, caller: Principal, opts: { restrictedCaseLimit?: number } = {}) {
  const draft = (await deps.drafts.rules()) as Rule[];
  const emojiWords = await deps.drafts.emojiWords();
  const current = await deps.rulesets.current();
  const live = (current?.rules ?? []) as Rule[];
  const cleared = caller.grants.csam === true;
  const restriction = cleared ? undefined : await restrictionFor(deps, [...draft, ...live], opts.restrictedCaseLimit ?? PREVIEW_RESTRICTED_CASES);
  const logged = await deps.redis.lrange(deps.rulesets.keys.queryLog, 0, PREVIEW_QUERIES - 1);
  // The diff, the compile and matching every logged search run in a rule worker: the event loop keeps serving claims.
  // Without the grant, a search any csam rule matches is skipped by every rule, whatever its category.
  const { diff, touched, normalizedPatterns, queryHits } = await deps.rulePool.run('preview-queries', {
    live,
    draft,
    maxRules: MAX_RULES,
    samples: SAMPLES,
    queries: logged,
    ...(restriction ? { csamEverywhere: restriction.csamEverywhere } : {}),
    ...(emojiWords ? { emojiWords } : {}),
  });
  const byId = new Map(draft.map((r) => [r.id, r]));
  const rules = touched.map((t) => byId.get(t.id) as Rule);

  const previewAll = async (): Promise<{ previews: RulePreview[]; leaked: string[] }> => {
    const previews: RulePreview[] = [];
    const leaked: string[] = [];
    const exclude = restriction ? { restriction, mustNot: mustNotOf(restriction) } : undefined;
    for (let i = 0; i < rules.length; i += 20) {
      const batch = rules.slice(i, i + 20);
      previews.push(
        ...(await Promise.all(
          batch.map(async (rule, k): Promise<RulePreview> => {
            const base = {
              ruleId: rule.id,
              change: touched[i + k]?.change ?? 'added',
              kind: rule.kind,
              pattern: rule.pattern,
              action: rule.action,
              scope: rule.scope,
              shadow: rule.shadow === true,
            };
            if (restriction && rule.category === 'csam') {
              // Everything a csam rule matches is restricted: nothing to count, nothing to sample.
              return { ...base, contentMatches: rule.scope.includes('content') ? 0 : null, contentSamples: [], queryMatches: rule.scope.includes('query') ? 0 : null, querySamples: [], notice: CSAM_RULE_NOTICE };
            }
            if (rule.scope.includes('content') && !hasContentQuery(rule)) {
              const q = rule.scope.includes('query') ? (queryHits.get(rule.id) ?? { n: 0, samples: [] }) : null;
              return { ...base, contentMatches: null, contentSamples: [], queryMatches: q?.n ?? null, querySamples: q?.samples ?? [], notice: REGEX_CONTENT_NOTICE };
            }
            const content = rule.scope.includes('content') ? await contentMatches(deps, rule, normalizedPatterns[i + k] ?? '', exclude) : null;
            if (content) leaked.push(...content.leaked);
            const q = rule.scope.includes('query') ? (queryHits.get(rule.id) ?? { n: 0, samples: [] }) : null;
            return { ...base, contentMatches: content?.n ?? null, contentSamples: content?.samples ?? [], queryMatches: q?.n ?? null, querySamples: q?.samples ?? [] };
          }),
        )),
      );
    }
    return { previews, leaked };
  };

  let run = await previewAll();
  for (let attempt = 1; restriction && run.leaked.length > 0; attempt++) {
    // A restricted document got past the exclusion (its case turned csam after the mirror last copied it):
    // exclude it by id and count everything again, so no number included it.
    if (attempt >= RESTRICTION_ATTEMPTS) throw new UnavailableError('the rule preview cannot tell restricted documents apart right now (the case mirror is behind); try again', 'preview_restriction_unavailable');
    for (const id of run.leaked) restriction.contentIds.add(id);
    run = await previewAll();
  }
  return {
    publishedVersion: current?.version ?? null,
    diff,
    queriesExamined: logged.length,
    truncated: diff.added.length + diff.changed.length > MAX_RULES,
    ...(restriction ? { restricted: { redacted: 'csam_grant_required' as const, notice: RESTRICTED_NOTICE } } : {}),
    rules: run.previews,
  };
}

/**
 * What a caller without the grant may not see, from the draft and live
 * rules, the case mirror (cases restricted as csam) and the cases changed
 * since they were last mirrored. Refuses (503) rather than leave some out.
 */
async function restrictionFor(deps: ApiDeps, allRules: readonly Rule[], limit: number): Promise<Restriction> {
  const byRules = csamRuleRestriction(allRules);
  return { ...byRules, contentIds: await restrictedContentIds(deps, byRules.csamRuleIds, limit) };
}

/** The part of the restriction the csam rules (draft and live) decide alone: no I/O, also what the shadow view filters with. */
export function csamRuleRestriction(allRules: readonly Rule[]): Omit<Restriction, 'contentIds'> {
  const csamRuleIds = new Set(allRules.filter((r) => r.category === 'csam').map((r) => r.id));
  // Every csam rule acting everywhere, whatever its scope, locales, countries, expiry, shadow or enabled flag.
  const everywhere = csamEverywhereRules(allRules);
  const { csamMatcher, csamHashes } = csamSearchFilter(everywhere);
  const clauses: estypes.QueryDslQueryContainer[] = [
    { term: { 'moderation.category': 'csam' } },
    ...(csamRuleIds.size > 0 ? [{ terms: { 'moderation.ruleHits': [...csamRuleIds] } }] : []),
    ...everywhere.map((r, i) => contentRuleQuery(r, csamMatcher.normalizedPatterns[i] ?? '') as estypes.QueryDslQueryContainer),
  ];
  return { csamRuleIds, csamEverywhere: everywhere, csamMatcher, csamHashes, clauses };
}

/** Content ids of cases restricted as csam: those the mirror lists as csam, and those changed since it last copied them that are csam now. */
async function restrictedContentIds(deps: ApiDeps, csamRuleIds: ReadonlySet<string>, limit: number): Promise<Set<string>> {
  const refuse = () => new UnavailableError(`the rule preview leaves out the content of csam cases and can look up at most ${limit}; ask a holder of the csam grant to preview`, 'preview_restriction_unavailable');
  const mirrored = await deps.esScan.search<{ contentId?: string }>({
    index: deps.indices.cases,
    // The listing's exclusion, and cases mirrored before the csam flag whose rule hits name a csam rule.
    query: { bool: { should: [...CSAM_LISTING_EXCLUSION, ...(csamRuleIds.size > 0 ? [{ terms: { ruleIds: [...csamRuleIds] } }] : [])], minimum_should_match: 1 } },
    _source: ['contentId'],
    size: limit,
    track_total_hits: limit + 1,
  });
  const total = typeof mirrored.hits.total === 'number' ? mirrored.hits.total : (mirrored.hits.total?.value ?? 0);
  if (total > limit || mirrored.hits.hits.length < total) throw refuse();
  const ids = new Set<string>();
  for (const h of mirrored.hits.hits) {
    if (typeof h._source?.contentId !== 'string') throw refuse();
    ids.add(h._source.contentId);
  }
  // Cases changed since the mirror copied them: read as they are now.
  if ((await deps.cases.dirtyCount()) > limit) throw refuse();
  const dirty = await deps.cases.dirtyCaseIds();
  for (let i = 0; i < dirty.length; i += 500) {
    for (const h of await pipelined<Record<string, string>>(deps.redis, dirty.slice(i, i + 500).map((id) => ({ key: deps.cases.keys.case(id), add: (p) => p.hgetall(deps.cases.keys.case(id)) })))) {
      const c = caseFromHash(h);
      if (c && isCsamCase(c)) ids.add(c.contentId);
    }
  }
  return ids;
}

/** Everything a content query must not match for a caller without the grant. */
function mustNotOf(r: Restriction): estypes.QueryDslQueryContainer[] {
  return [...r.clauses, ...(r.contentIds.size > 0 ? [{ ids: { values: [...r.contentIds] } }] : [])];
}

function redacted(id: string | undefined, why: RedactedSample['redacted']): RedactedSample {
  return { ...(id === undefined ? {} : { id }), redacted: why, notice: REDACTION_NOTICES[why] };
}

interface PreviewDoc {
  text?: string;
  moderation?: { state?: string; category?: string | null; ruleHits?: string[] };
}

/**
 * Content documents a rule matches: the count, and up to five samples. With
 * a restriction (a caller without the grant), restricted documents are left
 * out by the query itself; a removed document's sample keeps only its id. A
 * sample that is restricted after all (its case turned csam after the mirror
 * copied it) comes back in `leaked`, for the caller to exclude and run again.
 */
async function contentMatches(
  deps: ApiDeps,
  rule: Rule,
  normalized: string,
  exclude?: { restriction: Restriction; mustNot: estypes.QueryDslQueryContainer[] },
): Promise<{ n: number; samples: RulePreview['contentSamples']; leaked: string[] }> {
  const matches = contentRuleQuery(rule, normalized) as estypes.QueryDslQueryContainer;
  const restriction = exclude?.restriction;
  const res = await deps.esScan.search<PreviewDoc>({
    index: deps.config.contentIndex,
    query: exclude ? { bool: { filter: [matches], must_not: exclude.mustNot } } : matches,
    size: SAMPLES,
    // Only what the samples and the redaction need: no highlights, no other field that could carry the text.
    _source: ['text', 'moderation.state', 'moderation.category', 'moderation.ruleHits'],
    track_total_hits: true,
  });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  const hits = res.hits.hits.map((h) => ({ id: h._id as string, doc: h._source ?? {} }));
  if (!restriction) return { n: total, samples: hits.map((h) => ({ id: h.id, text: (h.doc.text ?? '').slice(0, 200) })), leaked: [] };
  const restrictedCases = await csamCases(deps, hits.map((h) => h.id));
  const leaked = hits
    .filter(({ id, doc }) => {
      const m = doc.moderation ?? {};
      return m.category === 'csam' || (m.ruleHits ?? []).some((r) => restriction.csamRuleIds.has(r)) || restrictedCases.has(id) || restrictedText(restriction, doc.text);
    })
    .map((h) => h.id);
  if (leaked.length > 0) return { n: total, samples: [], leaked };
  const samples = hits.map(({ id, doc }): RulePreview['contentSamples'][number] => (doc.moderation?.state === 'removed' ? redacted(id, 'removed') : { id, text: (doc.text ?? '').slice(0, 200) }));
  return { n: total, samples, leaked };
}

/** Whether a csam rule matches this text as the matcher sees it (the query did this on moderation.normalizedText; this checks the text shown). */
function restrictedText(r: Restriction, text: string | undefined): boolean {
  return text !== undefined && match(r.csamMatcher, text, 'content', { anyCountry: true }).length > 0;
}

/** Which of these content ids have a case restricted as csam (one Redis round trip). */
async function csamCases(deps: ApiDeps, contentIds: string[]): Promise<Set<string>> {
  if (contentIds.length === 0) return new Set();
  const res = await pipelined<Record<string, string>>(deps.redis, contentIds.map((id) => ({ key: deps.cases.keys.case(caseIdFor(id)), add: (p) => p.hgetall(deps.cases.keys.case(caseIdFor(id))) })));
  return new Set(
    contentIds.filter((_, i) => {
      const c = caseFromHash(res[i] ?? {});
      return c !== undefined && isCsamCase(c);
    }),
  );
}
