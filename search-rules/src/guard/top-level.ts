import {
  aggs, any, arr, bool, byField, field, format, highlight, int, list, literal, map, no, num, obj, oneOf, order,
  query, scalar, sort, str, timeValue, type Keys, type Spec,
} from './spec';

/**
 * Top-level keys of a search body, with why each is safe or refused. A key
 * not listed is refused, so a new Elasticsearch feature stays shut until
 * someone has thought about it.
 */
export interface TopLevelEntry {
  readonly spec: Spec;
  readonly why: string;
}

const sourceFilter = any(
  bool,
  list(field, 256),
  obj({ includes: list(field, 256), excludes: list(field, 256), include: list(field, 256), exclude: list(field, 256) }),
);
const fieldFormats = arr(any(field, obj({ field, format, include_unmapped: bool }, ['field'])), 256);

const highlightOptions: Keys = {
  pre_tags: list(str(256), 16),
  post_tags: list(str(256), 16),
  tags_schema: oneOf('styled'),
  type: oneOf('unified', 'plain', 'fvh'),
  fragment_size: int(0, 100_000),
  number_of_fragments: int(0, 1000),
  order: oneOf('score', 'none'),
  encoder: oneOf('default', 'html'),
  require_field_match: bool,
  boundary_scanner: oneOf('chars', 'sentence', 'word'),
  boundary_chars: str(64),
  boundary_max_scan: int(0, 1000),
  boundary_scanner_locale: str(32),
  fragmenter: oneOf('simple', 'span'),
  no_match_size: int(0, 100_000),
  phrase_limit: int(1, 10_000),
  max_analyzed_offset: int(1, 2 ** 31 - 1),
  fragment_offset: int(0, 100_000),
  force_source: bool,
  highlight_query: query,
};

/** Highlighting: only hits (visible documents) are highlighted; every highlight_query is checked. */
export const HIGHLIGHT: Spec = obj({
  ...highlightOptions,
  fields: any(arr(map(obj({ ...highlightOptions, matched_fields: list(field, 64) }), 1), 256), map(obj({ ...highlightOptions, matched_fields: list(field, 64) }), 256)),
});

/** A nested sort: its filter is a query (checked); it may nest again (the depth limit bounds it). */
const nestedSortKeys: Record<string, Spec> = { path: field, filter: query, max_children: int(1, 2 ** 31 - 1) };
const nestedSort: Spec = obj(nestedSortKeys);
nestedSortKeys['nested'] = nestedSort;
const fieldSort = obj({
  order,
  mode: oneOf('min', 'max', 'sum', 'avg', 'median'),
  missing: scalar,
  unmapped_type: str(32),
  numeric_type: oneOf('double', 'long', 'date', 'date_nanos'),
  format,
  nested: nestedSort,
});

/** The value of a field sort: `"asc"` or options. */
export const FIELD_SORT: Spec = any(order, fieldSort);

/** Sort clauses that are not field names: `_geo_distance` (options beside one field), `_script` (refused). */
export const SPECIAL_SORTS: Keys = {
  _geo_distance: byField(literal, {
    order,
    unit: str(8),
    mode: oneOf('min', 'max', 'avg', 'median'),
    distance_type: oneOf('arc', 'plane'),
    ignore_unmapped: bool,
    nested: nestedSort,
  }),
  _script: no('scripts are refused'),
};

export const TOP_LEVEL: Readonly<Record<string, TopLevelEntry>> = {
  query: { spec: query, why: 'wrapped under the exclusions; every clause checked' },
  post_filter: { spec: query, why: 'can only narrow hits; checked as a query' },
  aggs: { spec: aggs, why: 'computed over the filtered query; types and options allowlisted' },
  aggregations: { spec: aggs, why: 'computed over the filtered query; types and options allowlisted' },
  sort: { spec: sort, why: 'orders visible hits; nested sort filters checked; `_script` refused' },
  highlight: { spec: highlight, why: 'highlights visible hits only; every highlight_query checked' },
  rescore: {
    spec: list(
      obj({
        window_size: int(1, 10_000),
        query: obj({ rescore_query: query, query_weight: num, rescore_query_weight: num, score_mode: oneOf('total', 'multiply', 'avg', 'max', 'min') }, ['rescore_query']),
        learning_to_rank: no('only the query rescorer is accepted'),
      }),
      16,
    ),
    why: 'reorders visible hits; only the query rescorer; rescore_query checked',
  },
  collapse: {
    spec: obj({ field, max_concurrent_group_searches: int(1, 1000), inner_hits: no('collapse inner_hits run their own queries') }, ['field']),
    why: 'groups visible hits by a field',
  },
  _source: { spec: sourceFilter, why: 'chooses fields of visible hits' },
  fields: { spec: fieldFormats, why: 'chooses fields of visible hits' },
  docvalue_fields: { spec: fieldFormats, why: 'chooses fields of visible hits' },
  from: { spec: int(0, 10_000), why: 'paging (from + size within the window)' },
  size: { spec: int(0, 10_000), why: 'paging (from + size within the window)' },
  search_after: { spec: arr(any(scalar, literal), 32), why: 'paging over visible hits' },
  track_total_hits: { spec: any(bool, int(0, 2 ** 31 - 1)), why: 'counts visible hits' },
  track_scores: { spec: bool, why: 'scores of visible hits' },
  timeout: { spec: timeValue, why: 'bounds the search' },
  terminate_after: { spec: int(0, 2 ** 31 - 1), why: 'bounds the search' },
  min_score: { spec: num, why: 'narrows visible hits' },
  version: { spec: bool, why: 'a field of visible hits' },
  seq_no_primary_term: { spec: bool, why: 'a field of visible hits' },
  script_fields: { spec: no('scripts are refused'), why: 'scripts' },
  runtime_mappings: { spec: no('runtime fields run scripts and can shadow moderation fields'), why: 'scripts; could shadow moderation.* fields' },
  suggest: { spec: no('suggesters (completion) return documents outside the query'), why: 'completion suggesters read outside the query' },
  knn: { spec: no('top-level kNN retrieves documents outside the query filter'), why: 'retrieves outside the filter' },
  retriever: { spec: no('retrievers run their own queries outside the filter'), why: 'own queries outside the filter' },
  sub_searches: { spec: no('sub-searches run their own queries outside the filter'), why: 'own queries outside the filter' },
  rank: { spec: no('ranking across sub-searches is refused with them'), why: 'goes with sub_searches' },
  explain: { spec: no('explain output reveals the filter and the rules'), why: 'reveals the filter' },
  profile: { spec: no('profile output reveals the filter and the rules'), why: 'reveals the filter' },
  pit: { spec: no('point-in-time searches are refused (use the service per request)'), why: 'stateful' },
  stored_fields: { spec: no('stored fields are refused: only _source filtering is allowed'), why: 'bypasses _source filtering' },
  indices_boost: { spec: no('names other indices'), why: 'names other indices' },
  slice: { spec: no('sliced scrolls are refused'), why: 'stateful' },
  stats: { spec: no('stats groups are refused'), why: 'not needed' },
  ext: { spec: no('plugin extensions are refused'), why: 'unknown code' },
  id: { spec: no('stored search templates are refused'), why: 'a query the guard cannot see' },
  source: { spec: no('inline search templates are refused'), why: 'a query the guard cannot see' },
  params: { spec: no('search templates are refused'), why: 'a query the guard cannot see' },
  script: { spec: no('scripts are refused'), why: 'scripts' },
};
