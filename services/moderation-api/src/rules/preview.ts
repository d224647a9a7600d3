import type { estypes } from '@elastic/elasticsearch';
import { caseFromHash, caseIdFor, isCsamCase, type Principal } from '@takedown/shared';
import { compileRuleset, contentRuleQuery, diffRules, match, type Rule } from '@takedown/search-rules';
import type { ApiDeps } from '../deps';

/** How many logged queries a preview replays, and how many samples it shows. */
export const PREVIEW_QUERIES = 10_000;
const SAMPLES = 5;
const MAX_RULES = 500;

/** A sample shown as its id alone: the caller lacks the csam grant and the document is csam or removed. */
export interface RedactedSample {
  id?: string;
  redacted: 'csam_grant_required' | 'removed';
  notice: string;
}

export const REDACTION_NOTICES: Readonly<Record<RedactedSample['redacted'], string>> = {
  csam_grant_required: 'Possible child sexual abuse material: shown only to tokens holding the csam grant.',
  removed: 'Removed content: its text is shown only to tokens holding the csam grant.',
};

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
  querySamples: (string | RedactedSample)[];
}

/**
 * The draft against the published version: for every added or changed rule,
 * what it would match in the content index and in the last logged searches.
 * A caller without the csam grant never sees the text of a csam or removed
 * document, nor any sample of a csam rule: those come back as an id (or
 * nothing, for a search text) and a notice.
 */
export async function previewDraft(deps: ApiDeps, caller: Principal) {
  const draft = (await deps.drafts.rules()) as Rule[];
  const current = await deps.rulesets.current();
  const cleared = caller.grants.csam === true;
  // Rule ids a document's moderation.ruleHits may name, csam by any definition we know (draft or live).
  const csamRuleIds = new Set([...draft, ...((current?.rules ?? []) as Rule[])].filter((r) => r.category === 'csam').map((r) => r.id));
  const diff = diffRules((current?.rules ?? []) as Rule[], draft);
  const byId = new Map(draft.map((r) => [r.id, r]));
  const touched = [...diff.added.map((id) => ({ id, change: 'added' as const })), ...diff.changed.map((c) => ({ id: c.id, change: 'changed' as const }))].slice(0, MAX_RULES);
  const rules = touched.map((t) => byId.get(t.id) as Rule);
  const now = new Date().toISOString();
  // Preview what each rule would do if it acted: shadow and disabled ones too.
  const compiled = compileRuleset({ version: 1, rules: rules.map((r) => ({ ...r, shadow: false, enabled: true })), publishedAt: now, publishedBy: 'preview' }, { trusted: true });

  const queries = await deps.redis.lrange(deps.rulesets.keys.queryLog, 0, PREVIEW_QUERIES - 1);
  const queryHits = new Map<string, { n: number; samples: string[] }>();
  for (const q of queries) {
    for (const ruleId of new Set(match(compiled, q, 'query').map((h) => h.ruleId))) {
      const e = queryHits.get(ruleId) ?? { n: 0, samples: [] };
      e.n++;
      if (e.samples.length < SAMPLES) e.samples.push(q);
      queryHits.set(ruleId, e);
    }
  }

  const previews: RulePreview[] = [];
  for (let i = 0; i < rules.length; i += 20) {
    const batch = rules.slice(i, i + 20);
    previews.push(
      ...(await Promise.all(
        batch.map(async (rule, k): Promise<RulePreview> => {
          const csamRule = rule.category === 'csam';
          const content = rule.scope.includes('content') ? await contentMatches(deps, rule, compiled.normalizedPatterns[i + k] ?? '', cleared ? undefined : { csamRule, csamRuleIds }) : null;
          const q = rule.scope.includes('query') ? (queryHits.get(rule.id) ?? { n: 0, samples: [] }) : null;
          const querySamples = !cleared && csamRule ? (q?.samples ?? []).map(() => redacted(undefined, 'csam_grant_required')) : (q?.samples ?? []);
          return {
            ruleId: rule.id,
            change: touched[i + k]?.change ?? 'added',
            kind: rule.kind,
            pattern: rule.pattern,
            action: rule.action,
            scope: rule.scope,
            shadow: rule.shadow === true,
            contentMatches: content?.n ?? null,
            contentSamples: content?.samples ?? [],
            queryMatches: q?.n ?? null,
            querySamples,
          };
        }),
      )),
    );
  }
  return {
    publishedVersion: current?.version ?? null,
    diff,
    queriesExamined: queries.length,
    truncated: diff.added.length + diff.changed.length > MAX_RULES,
    rules: previews,
  };
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
 * `redact` (a caller without the grant) a sample keeps only its id when the
 * rule is csam, the document is removed, its moderation says csam (the
 * category, or a hit of a csam rule), or its case is restricted as csam.
 */
async function contentMatches(
  deps: ApiDeps,
  rule: Rule,
  normalized: string,
  redact?: { csamRule: boolean; csamRuleIds: ReadonlySet<string> },
): Promise<{ n: number; samples: RulePreview['contentSamples'] }> {
  const res = await deps.es.search<PreviewDoc>({
    index: deps.config.contentIndex,
    query: contentRuleQuery(rule, normalized) as estypes.QueryDslQueryContainer,
    size: SAMPLES,
    // Only what the samples and the redaction need: no highlights, no other field that could carry the text.
    _source: ['text', 'moderation.state', 'moderation.category', 'moderation.ruleHits'],
    track_total_hits: true,
  });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  const hits = res.hits.hits.map((h) => ({ id: h._id as string, doc: h._source ?? {} }));
  if (!redact) return { n: total, samples: hits.map((h) => ({ id: h.id, text: (h.doc.text ?? '').slice(0, 200) })) };
  const restricted = await csamCases(deps, hits.map((h) => h.id));
  const samples = hits.map(({ id, doc }): RulePreview['contentSamples'][number] => {
    const m = doc.moderation ?? {};
    if (redact.csamRule || m.category === 'csam' || (m.ruleHits ?? []).some((r) => redact.csamRuleIds.has(r)) || restricted.has(id)) return redacted(id, 'csam_grant_required');
    if (m.state === 'removed') return redacted(id, 'removed');
    return { id, text: (doc.text ?? '').slice(0, 200) };
  });
  return { n: total, samples };
}

/** Which of these content ids have a case restricted as csam (one Redis round trip). */
async function csamCases(deps: ApiDeps, contentIds: string[]): Promise<Set<string>> {
  if (contentIds.length === 0) return new Set();
  const pipe = deps.redis.pipeline();
  for (const id of contentIds) pipe.hgetall(deps.cases.keys.case(caseIdFor(id)));
  const res = (await pipe.exec()) ?? [];
  return new Set(
    contentIds.filter((_, i) => {
      const [err, h] = res[i] ?? [];
      if (err) throw err;
      const c = caseFromHash(h as Record<string, string>);
      return c !== undefined && isCsamCase(c);
    }),
  );
}
