import type { SearchText } from './search-text';
import { geoCompositeSources, geoField, type GeoReader } from './geo-use';
import {
  any, arr, bool, field, format, highlight, int, list, literal, map, matching, no, num, obj, oneOf, order, query, scalar, sort, str,
  timeZone, type Keys, type Spec,
} from './spec';

/**
 * Aggregations a search may use, each with its options. Why any of them is
 * safe: an aggregation sees the documents the (rewritten) query matched and
 * nothing else, unless an option makes Elasticsearch reach past them. Those
 * options are the danger and are refused by value:
 *
 * - `min_doc_count` (and `shard_min_doc_count`) below 1: a terms-like
 *   aggregation then lists buckets with no matching document, taken from
 *   the shard's terms dictionary, hidden documents' values (ids, authors,
 *   hashes) included. Required to be an integer ≥ 1, as a JSON number:
 *   "0", 0.5 and -1, which Elasticsearch coerces, are refused.
 * - `extended_bounds` on histograms: only useful with empty buckets.
 * - `significant_terms` / `significant_text`: their background set is the
 *   whole index; counts of hidden documents come back as `bg_count`.
 * - `global`: ignores the query and so the filter.
 * - `children` / `parent`: reach joined documents.
 * - scripts of every kind.
 *
 * `missing` (a value for matched documents lacking the field), `include`
 * and `exclude` (filters on the matched documents' values), `order`,
 * composite `after` and `missing_bucket` only shape buckets of matched
 * documents, so they are allowed.
 */
export interface AggEntry {
  readonly spec: Spec;
  readonly why: string;
  /** Search texts it carries (an `include` pattern or list picks terms as a query would). */
  readonly read?: (body: Record<string, unknown>, out: SearchText[]) => void;
  /** The geo fields it buckets or summarises, for switches that forbid geo searches on some fields. */
  readonly geo?: GeoReader;
}

/** `include` picks buckets by term, so it searches: a string is a regexp, a list exact terms. */
function readInclude(body: Record<string, unknown>, out: SearchText[]): void {
  const inc = body['include'];
  if (typeof inc === 'string') out.push({ kind: 'regexp', text: inc });
  else if (Array.isArray(inc)) for (const v of inc) out.push({ kind: 'term', text: String(v) });
}

const atLeastOne = (what: string) =>
  int(1, 2 ** 31 - 1, `${what} below 1 lists values from the whole index (terms of hidden documents included)`);
const size = int(1, 10_000);
const missing = scalar;
const valueSource: Keys = { field, missing, format, value_type: str(32) };
const script = no('scripts are refused');
const bucketOrder = list(map(order, 8), 8);
const includeExclude = any(str(1000), arr(scalar, 10_000), obj({ partition: int(0, 1_000_000), num_partitions: int(1, 1_000_000) }));
const ranges = arr(obj({ from: any(scalar, literal), to: any(scalar, literal), key: str(256), mask: str(64) }), 1000);
const bucketsPath = any(str(512), map(str(512), 32));
const gapPolicy = oneOf('skip', 'insert_zeros', 'keep_values');
const pipelineMetric: Keys = { buckets_path: bucketsPath, gap_policy: gapPolicy, format };
const extendedBounds = no('extended_bounds only adds empty buckets; refused with min_doc_count 0');
const hardBounds = obj({ min: scalar, max: scalar });
const calendar = matching(/^(1?[a-z]+|\d{1,6}(ms|s|m|h|d|w|M|q|y))$/, 'a calendar or fixed interval');
const metric = (extra: Keys = {}): Spec => obj({ ...valueSource, script, ...extra });
/** What terms-like bucket aggregations share: sizes, the minimum counts that keep them inside matched documents, ordering. */
const termsBuckets: Keys = {
  size,
  shard_size: int(1, 100_000),
  min_doc_count: atLeastOne('min_doc_count'),
  shard_min_doc_count: atLeastOne('shard_min_doc_count'),
  show_term_doc_count_error: bool,
  order: bucketOrder,
  collect_mode: oneOf('depth_first', 'breadth_first'),
};

const topHits: Spec = obj({
  from: int(0, 100),
  size: int(0, 100),
  sort,
  _source: any(bool, list(field, 256), obj({ includes: list(field, 256), excludes: list(field, 256), include: list(field, 256), exclude: list(field, 256) })),
  highlight,
  docvalue_fields: arr(any(field, obj({ field, format, include_unmapped: literal })), 256),
  fields: arr(any(field, obj({ field, format, include_unmapped: literal })), 256),
  version: bool,
  seq_no_primary_term: bool,
  track_scores: bool,
  explain: no('explain output reveals the filter and the rules'),
  script_fields: script,
  stored_fields: no('stored fields are refused: only _source filtering is allowed'),
});

const compositeSource = map(
  any(
    obj({
      terms: obj({ field, missing_bucket: bool, missing_order: oneOf('first', 'last', 'default'), order, value_type: str(32), script }),
      histogram: obj({ field, interval: num, missing_bucket: bool, missing_order: oneOf('first', 'last', 'default'), order, script }),
      date_histogram: obj({ field, calendar_interval: calendar, fixed_interval: calendar, interval: calendar, format, time_zone: timeZone, offset: str(64), missing_bucket: bool, missing_order: oneOf('first', 'last', 'default'), order, script }),
      geotile_grid: obj({ field, precision: int(0, 29), bounds: literal, missing_bucket: bool, order }),
    }),
  ),
  1,
);

export const AGGREGATIONS: Readonly<Record<string, AggEntry>> = {
  terms: {
    spec: obj({ ...valueSource, ...termsBuckets, include: includeExclude, exclude: includeExclude, execution_hint: oneOf('map', 'global_ordinals'), script }),
    why: 'buckets of matched documents; min_doc_count must be ≥ 1; include read for blocked terms',
    read: readInclude,
  },
  rare_terms: {
    spec: obj({ field, missing, max_doc_count: int(1, 100), precision: num, include: includeExclude, exclude: includeExclude, script }),
    why: 'rare values among matched documents (max_doc_count ≥ 1); include read for blocked terms',
    read: readInclude,
  },
  multi_terms: {
    spec: obj({ terms: arr(obj({ field, missing }), 10), ...termsBuckets }),
    why: 'buckets of matched documents; min_doc_count must be ≥ 1',
  },
  avg: { spec: metric(), why: 'a statistic of matched documents' },
  sum: { spec: metric(), why: 'a statistic of matched documents' },
  min: { spec: metric(), why: 'a statistic of matched documents' },
  max: { spec: metric(), why: 'a statistic of matched documents' },
  value_count: { spec: metric(), why: 'a statistic of matched documents' },
  cardinality: { spec: metric({ precision_threshold: int(0, 40_000), execution_hint: str(32) }), why: 'a statistic of matched documents' },
  stats: { spec: metric(), why: 'a statistic of matched documents' },
  extended_stats: { spec: metric({ sigma: num }), why: 'a statistic of matched documents' },
  percentiles: {
    spec: metric({ percents: arr(num, 100), keyed: bool, tdigest: obj({ compression: num, execution_hint: str(32) }), hdr: obj({ number_of_significant_value_digits: int(0, 5) }) }),
    why: 'a statistic of matched documents',
  },
  percentile_ranks: {
    spec: metric({ values: arr(num, 100), keyed: bool, tdigest: obj({ compression: num }), hdr: obj({ number_of_significant_value_digits: int(0, 5) }) }),
    why: 'a statistic of matched documents',
  },
  median_absolute_deviation: { spec: metric({ compression: num }), why: 'a statistic of matched documents' },
  weighted_avg: {
    spec: obj({ value: obj({ field, missing, script }), weight: obj({ field, missing, script }), format, value_type: str(32) }),
    why: 'a statistic of matched documents',
  },
  histogram: {
    spec: obj({ field, missing, format, interval: num, offset: num, min_doc_count: atLeastOne('min_doc_count'), extended_bounds: extendedBounds, hard_bounds: hardBounds, order: bucketOrder, keyed: bool, script }),
    why: 'buckets of matched documents (empty buckets only between them)',
  },
  date_histogram: {
    spec: obj({
      field, missing, format, time_zone: timeZone, offset: str(64), calendar_interval: calendar, fixed_interval: calendar, interval: calendar,
      min_doc_count: atLeastOne('min_doc_count'), extended_bounds: extendedBounds, hard_bounds: hardBounds, order: bucketOrder, keyed: bool, script,
    }),
    why: 'buckets of matched documents (empty buckets only between them)',
  },
  auto_date_histogram: {
    spec: obj({ field, missing, format, time_zone: timeZone, buckets: int(1, 10_000), minimum_interval: str(16), script }),
    why: 'buckets of matched documents',
  },
  range: { spec: obj({ field, missing, format, ranges, keyed: bool, script }), why: 'caller-given ranges over matched documents' },
  date_range: { spec: obj({ field, missing, format, time_zone: timeZone, ranges, keyed: bool, script }), why: 'caller-given ranges over matched documents' },
  ip_range: { spec: obj({ field, missing, ranges, keyed: bool, script }), why: 'caller-given ranges over matched documents' },
  filter: { spec: query, why: 'narrows matched documents; the query is checked' },
  filters: {
    spec: obj({ filters: any(arr(query, 100), map(query, 100)), other_bucket: bool, other_bucket_key: str(256), keyed: bool }, ['filters']),
    why: 'narrows matched documents; each query is checked',
  },
  missing: { spec: obj({ field }, ['field']), why: 'matched documents lacking a field' },
  composite: {
    spec: obj({ sources: arr(compositeSource, 10), size, after: map(any(scalar, literal), 10) }, ['sources']),
    why: 'pages through buckets of matched documents',
    geo: geoCompositeSources,
  },
  nested: { spec: obj({ path: field }, ['path']), why: 'inside matched documents' },
  reverse_nested: { spec: obj({ path: field }), why: 'back to the matched parent documents' },
  sampler: { spec: obj({ shard_size: int(1, 100_000) }), why: 'a sample of matched documents' },
  diversified_sampler: {
    spec: obj({ field, shard_size: int(1, 100_000), max_docs_per_value: int(1, 100_000), execution_hint: str(32), script }),
    why: 'a sample of matched documents',
  },
  top_hits: { spec: topHits, why: 'matched documents of a bucket; explain, scripts and stored fields refused' },
  top_metrics: { spec: obj({ metrics: list(obj({ field, missing }), 10), sort, size: int(1, 100) }, ['metrics']), why: 'values of matched documents; its sort is checked' },
  geo_bounds: { spec: obj({ field, wrap_longitude: bool }), why: 'a statistic of matched documents', geo: geoField },
  geo_centroid: { spec: obj({ field }), why: 'a statistic of matched documents', geo: geoField },
  geohash_grid: { spec: obj({ field, precision: any(int(1, 12), str(16)), size, shard_size: int(1, 100_000), bounds: literal }), why: 'buckets of matched documents', geo: geoField },
  geotile_grid: { spec: obj({ field, precision: int(0, 29), size, shard_size: int(1, 100_000), bounds: literal }), why: 'buckets of matched documents', geo: geoField },
  avg_bucket: { spec: obj(pipelineMetric, ['buckets_path']), why: 'computed from sibling buckets' },
  sum_bucket: { spec: obj(pipelineMetric, ['buckets_path']), why: 'computed from sibling buckets' },
  min_bucket: { spec: obj(pipelineMetric, ['buckets_path']), why: 'computed from sibling buckets' },
  max_bucket: { spec: obj(pipelineMetric, ['buckets_path']), why: 'computed from sibling buckets' },
  stats_bucket: { spec: obj(pipelineMetric, ['buckets_path']), why: 'computed from sibling buckets' },
  extended_stats_bucket: { spec: obj({ ...pipelineMetric, sigma: num }, ['buckets_path']), why: 'computed from sibling buckets' },
  percentiles_bucket: { spec: obj({ ...pipelineMetric, percents: arr(num, 100), keyed: bool }, ['buckets_path']), why: 'computed from sibling buckets' },
  derivative: { spec: obj({ ...pipelineMetric, unit: str(16) }, ['buckets_path']), why: 'computed from parent buckets' },
  cumulative_sum: { spec: obj({ buckets_path: bucketsPath, format }, ['buckets_path']), why: 'computed from parent buckets' },
  serial_diff: { spec: obj({ ...pipelineMetric, lag: int(1, 10_000) }, ['buckets_path']), why: 'computed from parent buckets' },
  bucket_sort: { spec: obj({ sort, from: int(0, 10_000), size: int(1, 10_000), gap_policy: gapPolicy }), why: 'orders parent buckets; its sort is checked' },
};

export const REFUSED_AGGREGATIONS: Readonly<Record<string, string>> = {
  global: 'global aggregations ignore the query and its filter',
  children: 'join aggregations reach related documents',
  parent: 'join aggregations reach related documents',
  scripted_metric: 'scripts are refused',
  bucket_script: 'scripts are refused',
  bucket_selector: 'scripts are refused',
  significant_terms: 'its background set is the whole index: counts of hidden documents come back',
  significant_text: 'its background set is the whole index, and it re-reads source text',
  terms_lookup: 'reads documents from an index',
  matrix_stats: 'not read by the guard',
  frequent_item_sets: 'not read by the guard',
  categorize_text: 'not read by the guard',
  geo_line: 'not read by the guard',
  adjacency_matrix: 'not read by the guard',
  variable_width_histogram: 'not read by the guard',
  moving_fn: 'scripts are refused',
  moving_percentiles: 'not read by the guard',
  normalize: 'not read by the guard',
  inference: 'runs a model',
  random_sampler: 'not read by the guard',
  time_series: 'not read by the guard',
};
