import type { estypes } from '@elastic/elasticsearch';
import { compileRuleset, contentRuleQuery, diffRules, match, type Rule } from '@takedown/search-rules';
import type { ApiDeps } from '../deps';

/** How many logged queries a preview replays, and how many samples it shows. */
export const PREVIEW_QUERIES = 10_000;
const SAMPLES = 5;
const MAX_RULES = 500;

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
  contentSamples: { id: string; text: string }[];
  /** Logged searches the rule would have matched (query scope). */
  queryMatches: number | null;
  querySamples: string[];
}

/**
 * The draft against the published version: for every added or changed rule,
 * what it would match in the content index and in the last logged searches.
 */
export async function previewDraft(deps: ApiDeps) {
  const draft = (await deps.drafts.rules()) as Rule[];
  const current = await deps.rulesets.current();
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
          const content = rule.scope.includes('content') ? await contentMatches(deps, rule, compiled.normalizedPatterns[i + k] ?? '') : null;
          const q = rule.scope.includes('query') ? (queryHits.get(rule.id) ?? { n: 0, samples: [] }) : null;
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
            querySamples: q?.samples ?? [],
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

async function contentMatches(deps: ApiDeps, rule: Rule, normalized: string): Promise<{ n: number; samples: { id: string; text: string }[] }> {
  const res = await deps.es.search<{ text?: string }>({
    index: deps.config.contentIndex,
    query: contentRuleQuery(rule, normalized) as estypes.QueryDslQueryContainer,
    size: SAMPLES,
    _source: ['text'],
    track_total_hits: true,
  });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return { n: total, samples: res.hits.hits.map((h) => ({ id: h._id as string, text: (h._source?.text ?? '').slice(0, 200) })) };
}
