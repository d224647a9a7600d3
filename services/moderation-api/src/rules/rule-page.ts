import { CATEGORIES, compileValidator, type Category } from '@takedown/shared';
import { RULE_ACTIONS, RULE_KINDS, RULE_SCOPES, ruleSchema, type Rule, type RuleAction, type RuleKind, type RuleScope } from '@takedown/search-rules';

export const RULE_STATES = ['live', 'shadow', 'disabled'] as const;
export type RuleState = (typeof RULE_STATES)[number];

/** GET /v1/rules/draft-page query, as strings off the URL. */
export interface RulePageQuery {
  q?: string;
  id?: string;
  category?: Category;
  action?: RuleAction;
  kind?: RuleKind;
  scope?: RuleScope;
  list?: string;
  state?: RuleState;
  size?: string;
  after?: string;
}

export const DEFAULT_RULE_PAGE = 50;
export const MAX_RULE_PAGE = 200;
/** Hash-list facet entries returned (the largest lists): one list per hash source, so few in practice, but bounded. */
const MAX_LIST_FACETS = 50;

const ruleId = ruleSchema.properties.id;
export const validateRulePageQuery = compileValidator<RulePageQuery>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      q: { type: 'string', maxLength: 200 },
      id: ruleId,
      category: { type: 'string', enum: CATEGORIES },
      action: { type: 'string', enum: RULE_ACTIONS },
      kind: { type: 'string', enum: RULE_KINDS },
      scope: { type: 'string', enum: RULE_SCOPES },
      list: ruleSchema.properties.hashList.properties.name,
      state: { type: 'string', enum: RULE_STATES },
      // 1..200
      size: { type: 'string', pattern: '^(200|1[0-9]{2}|[1-9][0-9]?)$' },
      after: ruleId,
    },
  },
  'query',
);

export function stateOf(r: Rule): RuleState {
  if (r.enabled === false) return 'disabled';
  return r.shadow === true ? 'shadow' : 'live';
}

type FacetName = 'category' | 'action' | 'kind' | 'scope' | 'state' | 'list';
export type Facets = Record<FacetName, Record<string, number>>;

export interface RulePage {
  rules: Rule[];
  /** Rules matching the search and every filter. */
  total: number;
  /** Matching rules before this page (so a page reads "from+1 – from+rules.length of total"). */
  from: number;
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
  /** Per filter, how many rules each value would give with the other filters and the search kept. */
  facets: Facets;
}

/** Ids in code-unit order: the cursor compares the same way the sort does, whatever the locale. */
const byId = (a: Rule, b: Rule): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One page of the draft, filtered and searched on the server so the browser
 * never holds the whole draft. Keyset paging on the rule id: walking `next`
 * from the start yields every matching rule exactly once, in id order, even
 * while other rules are added or removed between pages.
 */
export function pageRules(all: readonly Rule[], query: RulePageQuery): RulePage {
  const size = query.size === undefined ? DEFAULT_RULE_PAGE : Number(query.size);
  const needle = query.q?.trim().toLowerCase() ?? '';
  const facets: Facets = { category: {}, action: {}, kind: {}, scope: {}, state: {}, list: {} };
  const matching: Rule[] = [];
  for (const r of all) {
    if (query.id !== undefined && r.id !== query.id) continue;
    if (needle && !r.id.toLowerCase().includes(needle) && !r.pattern.toLowerCase().includes(needle) && !(r.note ?? '').toLowerCase().includes(needle)) continue;
    const values: Record<FacetName, string[]> = {
      category: [r.category],
      action: [r.action],
      kind: [r.kind],
      scope: r.scope,
      state: [stateOf(r)],
      list: r.hashList ? [r.hashList.name] : [],
    };
    const failed = (Object.keys(values) as FacetName[]).filter((f) => query[f] !== undefined && !values[f].includes(query[f] as string));
    // A facet counts the rules that pass every *other* filter, so each count is what choosing that value would show.
    const countIn = failed.length === 0 ? (Object.keys(values) as FacetName[]) : failed.length === 1 ? failed : [];
    for (const f of countIn) for (const v of values[f]) facets[f][v] = (facets[f][v] ?? 0) + 1;
    if (failed.length === 0) matching.push(r);
  }
  matching.sort(byId);
  const after = query.after;
  let start = 0;
  if (after !== undefined) {
    // First id strictly after the cursor (binary search: the list is sorted).
    let lo = 0;
    let hi = matching.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((matching[mid] as Rule).id <= after) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  }
  const rules = matching.slice(start, start + size);
  const last = rules[rules.length - 1];
  return {
    rules,
    total: matching.length,
    from: start,
    next: last && start + size < matching.length ? last.id : null,
    facets: { ...facets, list: topEntries(facets.list, MAX_LIST_FACETS) },
  };
}

function topEntries(counts: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n),
  );
}
