import fc from 'fast-check';
import {
  AGGREGATIONS,
  FIELD_SORT,
  HIGHLIGHT,
  QUERIES,
  REFUSED_AGGREGATIONS,
  REFUSED_QUERIES,
  SPECIAL_SORTS,
  TOP_LEVEL,
  type Keys,
  type Spec,
} from '@takedown/search-rules';
import type { FieldKind, MappedField } from './leak-oracle-docs';

/**
 * Search bodies generated from the guard's own grammar tables (QUERIES,
 * AGGREGATIONS, TOP_LEVEL, HIGHLIGHT, FIELD_SORT, SPECIAL_SORTS): the walker
 * below reads the same Spec objects the guard reads and builds a fast-check
 * arbitrary for each, so a new query type, aggregation or option is
 * generated as soon as it is allowed. Bodies mostly obey the specs (so most
 * pass the guard) and name real fields of the mapping; a few carry refused
 * parts (refused types, `no` options, coerced min_doc_count) to exercise
 * the refusals too.
 *
 * Values: wherever a value is searched for (query text, term values, range
 * bounds, ids, prefixes, wildcards, regexps, fuzzy terms, include/exclude)
 * it is drawn from the probe pool, which holds the hidden documents'
 * distinctive values and prefix/wildcard/fuzzy variants of them, so the
 * queries actively try to reach hidden documents. Wherever Elasticsearch
 * echoes a value back in a successful answer (`missing`, `meta`, range keys,
 * `_name`, highlight tags, formats, sort `missing`, percentiles, scores via
 * weights and factors) values come from a neutral pool, so an echo of the
 * caller's own input is never mistaken for a leak.
 */

export interface ProbePool {
  fields: readonly MappedField[];
  /** Values a field holds across the seeded documents (hidden and visible). */
  valuesOf(field: string): readonly unknown[];
  /** Hidden documents' distinctive strings (ids, words, authors, hashes, ...). */
  hiddenStrings: readonly string[];
  /** Hidden documents' numbers and dates. */
  hiddenNumbers: readonly number[];
  hiddenDates: readonly string[];
  /** Words of visible documents. */
  visibleWords: readonly string[];
}

export interface GeneratedSearch {
  kind: '_search' | '_count';
  body: Record<string, unknown>;
}
export interface GeneratedMsearch {
  kind: '_msearch';
  lines: { header: Record<string, unknown>; body: Record<string, unknown> }[];
}

type Arb = fc.Arbitrary<unknown>;

interface Ctx {
  /** Query nesting still allowed (compound queries only above 0). */
  q: number;
  /** Aggregation nesting still allowed. */
  a: number;
  inQuery: boolean;
  qType?: string;
  aggType?: string;
  key?: string;
  field?: MappedField;
  /** Kinds of field a field name here should have. */
  kinds?: readonly FieldKind[];
}

const TEXT_QUERIES = new Set(['match', 'match_phrase', 'match_phrase_prefix', 'match_bool_prefix', 'multi_match', 'combined_fields', 'more_like_this']);
const COMPOUND_QUERIES = new Set(['bool', 'dis_max', 'constant_score', 'boosting', 'function_score', 'nested']);

const ANY_KIND: readonly FieldKind[] = ['keyword', 'keyword', 'text', 'date', 'number', 'boolean'];
const AGGREGATABLE: readonly FieldKind[] = ['keyword', 'keyword', 'keyword', 'number', 'date', 'boolean'];
const NUMERIC: readonly FieldKind[] = ['number', 'number', 'date'];

/** What kind of field each query type is mostly aimed at (others still appear, refused or answered with an error). */
const QUERY_KINDS: Record<string, readonly FieldKind[]> = {
  match: ['text', 'text', 'keyword'],
  match_phrase: ['text'],
  match_phrase_prefix: ['text'],
  match_bool_prefix: ['text', 'keyword'],
  multi_match: ['text', 'keyword'],
  combined_fields: ['text'],
  query_string: ['text', 'keyword'],
  simple_query_string: ['text', 'keyword'],
  more_like_this: ['text'],
  term: ['keyword', 'keyword', 'keyword', 'number', 'date', 'boolean'],
  terms: ['keyword', 'keyword', 'number', 'date'],
  prefix: ['keyword', 'keyword', 'text'],
  wildcard: ['keyword', 'keyword', 'text'],
  regexp: ['keyword', 'keyword', 'text'],
  fuzzy: ['keyword', 'keyword', 'text'],
  range: ['date', 'number', 'keyword'],
  exists: ANY_KIND,
  function_score: ['number'],
  rank_feature: ['number'],
  distance_feature: ['date'],
};

const AGG_KINDS: Record<string, readonly FieldKind[]> = {
  terms: AGGREGATABLE,
  rare_terms: ['keyword'],
  multi_terms: ['keyword'],
  avg: NUMERIC, sum: NUMERIC, min: NUMERIC, max: NUMERIC, stats: NUMERIC, extended_stats: NUMERIC,
  percentiles: NUMERIC, percentile_ranks: NUMERIC, median_absolute_deviation: NUMERIC, weighted_avg: ['number'],
  value_count: AGGREGATABLE, cardinality: AGGREGATABLE, missing: ANY_KIND,
  histogram: ['number'], range: ['number', 'date'],
  date_histogram: ['date'], auto_date_histogram: ['date'], date_range: ['date'],
  diversified_sampler: ['keyword'], top_metrics: NUMERIC,
  composite_terms: AGGREGATABLE, composite_histogram: ['number'], composite_date_histogram: ['date'],
};

const PARENT_PIPELINES = ['derivative', 'cumulative_sum', 'serial_diff'];
const SIBLING_PIPELINES = ['avg_bucket', 'sum_bucket', 'min_bucket', 'max_bucket', 'stats_bucket', 'extended_stats_bucket', 'percentiles_bucket'];
const BUCKET_AGGS = new Set(['terms', 'rare_terms', 'multi_terms', 'histogram', 'date_histogram', 'auto_date_histogram', 'range', 'date_range', 'ip_range', 'filter', 'filters', 'missing', 'composite', 'nested', 'reverse_nested', 'sampler', 'diversified_sampler', 'geohash_grid', 'geotile_grid']);
/** Aggregations that need a field type the mapping lacks (geo, ip, nested): still generated, rarely. */
const RARE_AGGS = new Set(['ip_range', 'nested', 'reverse_nested', 'geo_bounds', 'geo_centroid', 'geohash_grid', 'geotile_grid']);
const RARE_QUERIES = new Set(['geo_distance', 'geo_bounding_box', 'geo_polygon', 'rank_feature', 'distance_feature', 'nested', 'match_none']);

/** Keys where Elasticsearch echoes the value (or a function of it) in a successful answer: never probed. */
const NEUTRAL_KEYS = new Set([
  '_name', 'format', 'time_zone', 'analyzer', 'quote_analyzer', 'rewrite', 'fuzzy_rewrite', 'flags', 'seed', 'origin', 'scale', 'offset', 'decay',
  'pivot', 'distance', 'quote_field_suffix', 'minimum_should_match', 'fuzziness', 'missing', 'boost', 'weight', 'factor', 'stop_words',
]);

/** Realistic values for options, by `aggType.key`, `qType.key` or `key`; used when they fit the spec. */
const KEY_VALUES: Record<string, readonly unknown[]> = {
  size: [0, 1, 3, 10],
  from: [0, 1, 2],
  shard_size: [10, 100],
  interval: [1, 10, 1000],
  'date_histogram.interval': ['1d', 'month'],
  calendar_interval: ['1d', '1M', 'month', 'year', 'week'],
  fixed_interval: ['1d', '30d', '12h'],
  time_zone: ['UTC', '+01:00', 'Europe/Berlin'],
  analyzer: ['standard', 'whitespace', 'simple', 'keyword'],
  quote_analyzer: ['standard', 'whitespace'],
  fuzziness: ['AUTO', 0, 1, 2, 'AUTO:3,6'],
  minimum_should_match: [1, '1', '50%', '-1'],
  rewrite: ['constant_score', 'constant_score_boolean', 'scoring_boolean', 'top_terms_3', 'top_terms_boost_5', 'top_terms_blended_freqs_2'],
  fuzzy_rewrite: ['constant_score', 'top_terms_3'],
  flags: ['ALL', 'NONE', 'PREFIX|FUZZY|PHRASE', 'OR|AND|NOT|WHITESPACE|WILDCARD'],
  'regexp.flags': ['ALL', 'NONE', 'COMPLEMENT', 'INTERVAL|ANYSTRING'],
  timeout: ['1s', '500ms'],
  unmapped_type: ['keyword', 'long', 'date'],
  value_type: ['string', 'long', 'date'],
  'derivative.unit': ['1d', 'day'],
  unit: ['km', 'm'],
  minimum_interval: ['day', 'month', 'year'],
  'date_histogram.offset': ['+1d', '-1h'],
  'histogram.offset': [0, 0.5],
  offset: ['+1d', 0],
  'cardinality.execution_hint': ['direct', 'save_memory_heuristic', 'save_time_heuristic'],
  'diversified_sampler.execution_hint': ['map', 'global_ordinals', 'bytes_hash'],
  execution_hint: ['default', 'high_accuracy', 'map', 'global_ordinals'],
  precision: [3, 0.01],
  'rare_terms.precision': [0.01, 0.001],
  max_concurrent_group_searches: [1, 4],
  window_size: [1, 10],
  number_of_fragments: [0, 1, 3],
  fragment_size: [20, 100],
  no_match_size: [0, 20],
  phrase_limit: [256],
  max_analyzed_offset: [1_000_000],
  fragment_offset: [0],
  boundary_max_scan: [20],
  boundary_chars: ['.,!? '],
  boundary_scanner_locale: ['en-US'],
  pre_tags: ['<em>', '<b>'],
  post_tags: ['</em>', '</b>'],
  terminate_after: [0, 1, 100],
  track_total_hits: [true, false, 1, 10],
  min_score: [0, 0.1],
  percents: [50, 1, 99],
  'percentile_ranks.values': [1, 3, 1000],
  sigma: [2],
  compression: [100],
  number_of_significant_value_digits: [3],
  lag: [1],
  max_docs_per_value: [1, 3],
  max_doc_count: [1, 2],
  seed: [1, 42],
  decay: [0.5],
  slop: [0, 1, 2],
  prefix_length: [0, 1],
  max_expansions: [1, 50],
  fuzzy_max_expansions: [50],
  fuzzy_prefix_length: [0, 1],
  phrase_slop: [0, 1],
  max_determinized_states: [10_000],
  tie_breaker: [0, 0.3],
  cutoff_frequency: [0.01],
  min_term_freq: [1],
  max_query_terms: [25],
  min_doc_freq: [1],
  max_doc_freq: [1000],
  min_word_length: [0],
  max_word_length: [0],
  boost_terms: [1],
  stop_words: ['the', 'and'],
  negative_boost: [0.5],
  boost: [1, 2],
  weight: [1, 2],
  factor: [1.2],
  max_boost: [10],
  max_children: [1],
  quote_field_suffix: ['.exact'],
  other_bucket_key: ['other'],
  key: ['k0', 'k1'],
  mask: ['10.0.0.0/8'],
  partition: [0, 1],
  num_partitions: [2, 4],
  buckets: [3, 10],
  _name: ['q0', 'q1'],
  buckets_path: ['_count'],
  'distance_feature.pivot': ['7d'],
  pivot: [1],
  distance: ['10km'],
};

/** Keys often wrong for the field at hand: included less often. */
const RISKY_KEYS = new Set(['fixed_interval', 'interval', 'nested', 'format', 'numeric_type', 'analyzer', 'quote_analyzer', 'quote_field_suffix', 'cutoff_frequency', 'value_type', 'execution_hint', 'mask', 'unit', 'after', 'hard_bounds', 'search_after', 'mode', 'unmapped_type', 'time_zone', 'offset', 'max_determinized_states', 'tdigest', 'hdr', 'include', 'exclude', 'ranges', 'missing']);

function fits(spec: Spec, v: unknown): boolean {
  switch (spec.t) {
    case 'bool':
      return typeof v === 'boolean';
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= spec.min && v <= spec.max;
    case 'num':
      return typeof v === 'number' && (spec.min === undefined || v >= spec.min) && (spec.max === undefined || v <= spec.max);
    case 'str':
      return typeof v === 'string' && v.length <= spec.max && (!spec.oneOf || spec.oneOf.includes(v)) && (!spec.re || spec.re.test(v));
    case 'scalar':
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    default:
      return false;
  }
}

const optional = (arb: Arb, weight: number): Arb =>
  fc.oneof({ weight: Math.max(1, Math.round((1 - weight) * 100)), arbitrary: fc.constant(undefined) }, { weight: Math.max(1, Math.round(weight * 100)), arbitrary: arb });
const compact = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export interface ArbitraryOptions {
  /** Weight of refused parts mixed in (0 = bodies only from allowed grammar). */
  refusals?: number;
  /** Query nesting depth (compound queries). */
  queryDepth?: number;
  /** Aggregation nesting depth. */
  aggDepth?: number;
  /** Query types never generated (e.g. ones that only answer with a known 5xx). */
  skipQueries?: readonly string[];
  /** Special sorts never generated. */
  skipSorts?: readonly string[];
  /** Aggregation types generated only rarely (e.g. unknown to the server under test). */
  rareAggs?: readonly string[];
}

/** Builds the arbitraries. The whole tree is built once (memoised per spec and context), lazily where it recurses. */
export function searchBodyArbitraries(pool: ProbePool, opts: ArbitraryOptions = {}) {
  const refusalWeight = opts.refusals ?? 1;
  const cache = new WeakMap<object, Map<string, Arb>>();
  const cacheIds = new Map<object, number>();
  const building = new Set<string>();
  const fieldsOfKinds = (kinds: readonly FieldKind[]): MappedField[] => {
    const out: MappedField[] = [];
    for (const k of kinds) out.push(...pool.fields.filter((f) => f.kind === k));
    return out.length > 0 ? out : [...pool.fields];
  };

  const hidden = pool.hiddenStrings;
  const variants = (f: (s: string) => string[]) => [...new Set(hidden.flatMap(f))].filter((s) => s.length > 0);
  const prefixes = variants((s) => [s.slice(0, Math.max(2, Math.floor(s.length / 2))), s.slice(0, 3), s.slice(0, s.length - 1), 'qz', 'hid-']);
  const wildcards = variants((s) => [`${s.slice(0, 4)}*`, `*${s.slice(-4)}`, `${s.slice(0, 3)}?${s.slice(4)}`, `*${s.slice(2, 6)}*`, 'qz*', 'hid-*', '*']);
  const regexps = variants((s) => [`${s.slice(0, 4)}.*`, `.*${s.slice(-3)}`, 'qz.*', 'hid-.*', `${s.slice(0, 2)}[a-z]+`, '.*']);
  const fuzzies = variants((s) => [`${s.slice(0, -1)}x`, `${s.slice(1)}`, s.toUpperCase(), `${s[1] ?? ''}${s[0] ?? ''}${s.slice(2)}`]);
  const queryStrings = [
    ...hidden.slice(0, 20),
    'qz*', 'hid-*', 'id:hid-*', 'authorId:qzauthor*', 'text:qzremovedalph~1', '/qz.*/', 'hid-removed OR vis-1', '_exists_:moderation.state',
    'moderation.state:removed', 'moderation.state:(removed OR excluded OR restricted)', 'market AND qz*', 'createdAt:[1977-01-01 TO 1980-01-01]',
    'moderation.scannedVersion:>7000000', 'moderation.placeholder:true', 'lang:qz*', 'media.sha256:*', '*', 'bread', 'qzplaceholderalpha', 'qzrecentbeta~1',
  ];
  const simpleQueryStrings = ['qz*', 'qzremovedalpha | bread', 'qzexcludedbeta~1', '"market bread" + qz*', 'hid-*', 'market -apples', 'qzrecent*', 'qzplaceholder*'];
  const words = [...hidden.filter((s) => /^qz[a-z]+$/.test(s)), ...pool.visibleWords];
  const textProbes = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...words) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...words), fc.constantFrom(...words)).map(([a, b]) => `${a} ${b}`) },
    { weight: 1, arbitrary: fc.constantFrom(...hidden) },
  );

  /** A value to search `field` for: its own values (hidden ones included), hidden values of other fields, case variants. */
  const valueProbe = (field: MappedField | undefined, key: string | undefined): Arb => {
    const own = field ? pool.valuesOf(field.name) : [];
    const kind = field?.kind;
    const ranged = key !== undefined && ['gt', 'gte', 'lt', 'lte', 'from', 'to'].includes(key);
    const extra: unknown[] =
      kind === 'date' ? [...pool.hiddenDates, '1977-01-01', '1977-12-31', '1979-01-01', 'now-100y', '2026-01-01']
      : kind === 'number' ? [...pool.hiddenNumbers, 7_351_900, 7_352_000, 0, 3]
      : kind === 'boolean' ? [true, false]
      : ranged ? ['hid-', 'hid-z', 'qz', 'qzz', 'a', 'z'] : [];
    const candidates = [...own, ...extra];
    return fc.oneof(
      ...(candidates.length > 0 ? [{ weight: 6, arbitrary: fc.constantFrom(...candidates) }] : []),
      { weight: 2, arbitrary: fc.constantFrom(...hidden) },
      { weight: 1, arbitrary: fc.constantFrom(...hidden).map((s) => s.toUpperCase()) },
    );
  };

  const neutralScalar = (field: MappedField | undefined): Arb => {
    switch (field?.kind) {
      case 'number':
        return fc.constantFrom(0, 1, 2);
      case 'date':
        return fc.constantFrom('2020-01-01', '2026-01-01T00:00:00Z');
      case 'boolean':
        return fc.boolean();
      case 'keyword':
      case 'text':
        return fc.constantFrom('n0', 'none');
      default:
        return fc.constantFrom('n0', 1, true);
    }
  };

  const neutralLiteral = (key: string | undefined): Arb => {
    if (key === 'meta') return fc.constantFrom({ note: 'm0' }, { n: 1 });
    if (key === 'bounds') return fc.constant({ top_left: { lat: 1, lon: 0 }, bottom_right: { lat: 0, lon: 1 } });
    return fc.constantFrom(1, 'n0', { lat: 0, lon: 0 }, [0, 0]);
  };

  const fieldName = (ctx: Ctx): Arb => {
    if (ctx.field && (ctx.key === 'field' || ctx.key === 'default_field')) return fc.constant(ctx.field.name);
    const kinds = ctx.kinds ?? ANY_KIND;
    const names = fieldsOfKinds(kinds).map((f) => f.name);
    // combined_fields needs fields of one analyzer.
    if (ctx.qType === 'combined_fields') return fc.constant('text');
    const wild = !ctx.inQuery && ['_source', 'fields', 'docvalue_fields', 'includes', 'excludes', 'include', 'exclude'].includes(ctx.key ?? '');
    // more_like_this on an unmapped field is a 500 from Elasticsearch (known5xx in the corpus).
    if (ctx.qType === 'more_like_this') return fc.constantFrom(...names);
    return fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...names) },
      { weight: wild ? 3 : 1, arbitrary: wild ? fc.constantFrom('*', 'moderation.*', 'media.*', 'text*', '_id') : fc.constantFrom('nope', '_id', '_index') },
    );
  };

  const table = (spec: Spec, ctx: Ctx): Arb | undefined => {
    if (!ctx.key) return undefined;
    for (const k of [`${ctx.aggType}.${ctx.key}`, `${ctx.qType}.${ctx.key}`, ctx.key]) {
      const vs = KEY_VALUES[k]?.filter((v) => fits(spec, v));
      if (vs && vs.length > 0) return fc.constantFrom(...vs);
    }
    if (ctx.key === 'format' && spec.t === 'str') {
      return ctx.field?.kind === 'number' ? fc.constantFrom('0.00', '#') : fc.constantFrom('yyyy-MM-dd', 'epoch_millis', 'yyyy');
    }
    return undefined;
  };

  const isProbe = (ctx: Ctx) => (ctx.inQuery && !NEUTRAL_KEYS.has(ctx.key ?? '')) || ((ctx.key === 'include' || ctx.key === 'exclude') && ctx.aggType !== undefined);

  const probeString = (spec: Spec & { t: 'str' }, ctx: Ctx): Arb => {
    const max = spec.max;
    let arb: Arb;
    if (ctx.qType === 'query_string' && ctx.key === 'query') arb = fc.constantFrom(...queryStrings);
    else if (ctx.qType === 'simple_query_string' && ctx.key === 'query') arb = fc.constantFrom(...simpleQueryStrings);
    else if (ctx.qType === 'prefix') arb = fc.constantFrom(...prefixes);
    else if (ctx.qType === 'wildcard') arb = fc.constantFrom(...wildcards);
    else if (ctx.qType === 'regexp' || ctx.key === 'include' || ctx.key === 'exclude') arb = fc.constantFrom(...regexps);
    else if (ctx.qType === 'more_like_this') arb = textProbes;
    else arb = fc.oneof(textProbes, valueProbe(ctx.field, ctx.key));
    return arb.filter((v) => typeof v === 'string' && v.length <= max);
  };

  const probeScalar = (ctx: Ctx): Arb => {
    if (ctx.qType && TEXT_QUERIES.has(ctx.qType)) return fc.oneof({ weight: 3, arbitrary: textProbes }, { weight: 1, arbitrary: valueProbe(ctx.field, ctx.key) });
    if (ctx.qType === 'fuzzy') return fc.oneof(fc.constantFrom(...fuzzies), valueProbe(ctx.field, ctx.key));
    if (ctx.qType === 'ids') return fc.constantFrom(...pool.valuesOf('id'), 'hid-*');
    return valueProbe(ctx.field, ctx.key);
  };

  function gen(spec: Spec, ctx: Ctx): Arb {
    let byCtx = cache.get(spec);
    if (!byCtx) cache.set(spec, (byCtx = new Map()));
    const k = JSON.stringify([ctx.q, ctx.a, ctx.inQuery, ctx.qType, ctx.aggType, ctx.key, ctx.field?.name, ctx.kinds]);
    let arb = byCtx.get(k);
    if (arb) return arb;
    // A spec that contains itself (a nested sort's `nested`): the inner one is left empty.
    if (building.has(k + '\u0000' + String(cacheIds.get(spec)))) return fc.constant({});
    if (!cacheIds.has(spec)) cacheIds.set(spec, cacheIds.size + 1);
    const marker = k + '\u0000' + String(cacheIds.get(spec));
    building.add(marker);
    arb = build(spec, ctx);
    building.delete(marker);
    byCtx.set(k, arb);
    return arb;
  }

  function build(spec: Spec, ctx: Ctx): Arb {
    const fromTable = spec.t === 'int' || spec.t === 'num' || spec.t === 'str' ? table(spec, ctx) : undefined;
    // buckets_path as a map only suits a few pipelines: a path string.
    if (spec.t === 'any' && ctx.key === 'buckets_path') return gen(spec.of[0]!, ctx);
    switch (spec.t) {
      case 'bool':
        return fc.boolean();
      case 'int': {
        const valid = fromTable ?? fc.integer({ min: spec.min, max: Math.min(spec.max, spec.min + 10) });
        // min_doc_count and friends: the coerced spellings Elasticsearch reads as 0.
        if (spec.why && refusalWeight > 0) return fc.oneof({ weight: 6, arbitrary: valid }, { weight: refusalWeight, arbitrary: fc.constantFrom(0, '0', 0.4, '-0', -1, '1') });
        return valid;
      }
      case 'num':
        return fromTable ?? fc.constantFrom(...[0, 0.5, 1, 2, 10].filter((v) => fits(spec, v)));
      case 'str': {
        if (spec.oneOf) return fc.constantFrom(...spec.oneOf);
        if (isProbe(ctx) && !spec.re && ctx.key !== 'path' && !(ctx.key ?? '').endsWith('field') && ctx.key !== 'fields') return probeString(spec, ctx);
        if (fromTable) return fromTable;
        if (['field', 'fields', 'default_field', 'path', 'matched_fields', '_source', 'includes', 'excludes'].includes(ctx.key ?? '') || spec.max === 512) return fieldName(ctx);
        if (spec.re) return fc.stringMatching(spec.re).filter((s) => s.length <= spec.max);
        return fc.constantFrom('n0', 'n1');
      }
      case 'scalar':
        return isProbe(ctx) ? probeScalar(ctx) : (table(spec, ctx) ?? neutralScalar(ctx.field));
      case 'literal':
        return neutralLiteral(ctx.key);
      case 'query':
        return queryArb({ ...ctx, field: undefined, kinds: undefined });
      case 'aggs':
        return aggsArb({ ...ctx, field: undefined, kinds: undefined, inQuery: false, qType: undefined });
      case 'sort':
        return sortArb({ ...ctx, field: undefined, kinds: undefined, inQuery: false });
      case 'highlight':
        return gen(HIGHLIGHT, { ...ctx, key: 'highlight', field: undefined, kinds: ['text'], inQuery: false });
      case 'no':
        return fc.constant({});
      case 'any': {
        const alts = spec.of.filter((s) => s.t !== 'no');
        const refused = spec.of.filter((s) => s.t === 'no');
        return fc.oneof(
          ...alts.map((s, i) => ({ weight: i === 0 ? 8 : 1, arbitrary: gen(s, ctx) })),
          ...(refusalWeight > 0 ? refused.map(() => ({ weight: refusalWeight, arbitrary: fc.constant({ index: 'other', id: '1', path: 'x' }) as Arb })) : []),
        );
      }
      case 'arr':
        return fc.array(gen(spec.of, ctx), { minLength: 1, maxLength: Math.min(spec.max, 3) });
      case 'list':
        // Query options named `fields` take an array only.
        if (ctx.key === 'fields' && ctx.inQuery) return fc.array(gen(spec.of, ctx), { minLength: 1, maxLength: Math.min(spec.max, 3) });
        return fc.oneof({ weight: ctx.key === 'fields' ? 1 : 2, arbitrary: gen(spec.of, ctx) }, { weight: ctx.key === 'fields' ? 3 : 1, arbitrary: fc.array(gen(spec.of, ctx), { minLength: 1, maxLength: Math.min(spec.max, 3) }) });
      case 'map':
        return mapArb(spec, ctx);
      case 'obj':
        return objArb(spec.keys, spec.required ?? [], ctx);
      case 'byField':
        return byFieldArb(spec, ctx);
    }
  }

  function objArb(keys: Keys, required: readonly string[], ctx: Ctx): Arb {
    // A composite source: exactly one of its value sources.
    if ('geotile_grid' in keys && 'date_histogram' in keys) {
      return fc.oneof(
        ...['terms', 'histogram', 'date_histogram', 'geotile_grid'].map((k) => ({
          weight: k === 'geotile_grid' ? 1 : 4,
          arbitrary: withField(AGG_KINDS[`composite_${k}`] ?? ['keyword'], (f) => objArb(asKeys(keys[k]), ['field'], { ...ctx, aggType: `composite_${k}`, field: f })).map((v) => ({ [k]: v })),
        })),
      );
    }
    const must = new Set(required);
    // What Elasticsearch needs though the grammar leaves it optional (else most bodies would only test its parser).
    for (const k of ['field', 'rescore_query', 'like', 'negative_boost', 'ranges', 'calendar_interval', 'distance']) if (k in keys) must.add(k);
    if ('learning_to_rank' in keys) must.add('query');
    if ('field_value_factor' in keys && 'filter' in keys) must.add('weight');
    // Without `missing`, a matched document lacking the field is a 500 from Elasticsearch (known5xx in the corpus).
    if ('modifier' in keys && 'factor' in keys) must.add('missing');
    if ((ctx.qType === 'combined_fields' || ctx.qType === 'more_like_this') && 'fields' in keys) must.add('fields');
    if (ctx.aggType === 'percentile_ranks') must.add('values');
    if (ctx.aggType === 'histogram' || ctx.aggType === 'composite_histogram') must.add('interval');
    if (ctx.aggType === 'weighted_avg') must.add('value').add('weight');
    if (ctx.aggType === 'top_metrics') must.add('sort');
    const rec: Record<string, Arb> = {};
    for (const [k, s] of Object.entries(keys)) {
      const child = gen(s, { ...ctx, key: k });
      if (must.has(k)) rec[k] = child;
      else if (s.t === 'no') {
        if (refusalWeight > 0) rec[k] = optional(child, 0.004 * refusalWeight);
      } else rec[k] = optional(child, RISKY_KEYS.has(k) ? 0.05 : 0.18);
    }
    return fc.record(rec).map((o) => {
      const out = compact(o);
      // Highlight tags come in pairs.
      if ('pre_tags' in out && !('post_tags' in out)) out['post_tags'] = '</em>';
      if ('post_tags' in out && !('pre_tags' in out)) out['pre_tags'] = '<em>';
      return out;
    });
  }

  const asKeys = (s: Spec | undefined): Keys => (s && s.t === 'obj' ? s.keys : {});

  function withField(kinds: readonly FieldKind[], f: (field: MappedField) => Arb): Arb {
    const fields = fieldsOfKinds(kinds);
    return fc.constantFrom(...fields).chain((field) => f(field));
  }

  function byFieldArb(spec: Spec & { t: 'byField' }, ctx: Ctx): Arb {
    const kinds = ctx.key === 'sort' || ctx.key === '_geo_distance' ? ['keyword' as const] : (QUERY_KINDS[ctx.qType ?? ''] ?? ANY_KIND);
    const opts = spec.keys ? objArb(spec.keys, [], { ...ctx, key: undefined }) : fc.constant({});
    return withField(kinds, (field) =>
      fc.tuple(gen(spec.value, { ...ctx, field, key: undefined }), opts).map(([v, o]) => ({ [field.name]: v, ...(o as object) })),
    );
  }

  function mapArb(spec: Spec & { t: 'map' }, ctx: Ctx): Arb {
    const max = Math.min(spec.max, 2);
    if (ctx.key === 'fields' && ctx.kinds?.includes('text')) {
      // Highlight fields: text fields mostly.
      return fc.uniqueArray(fc.tuple(fc.constantFrom('text', 'moderation.normalizedText', 'text*', 'authorId'), gen(spec.value, { ...ctx, key: undefined })), { minLength: 1, maxLength: max, selector: (t) => t[0] }).map((e) => Object.fromEntries(e));
    }
    const names = ctx.key === 'order' ? ['_count', '_key'] : ctx.key === 'filters' ? ['f0', 'f1'] : ctx.key === 'after' ? ['s0'] : ['m0', 'm1'];
    return fc.uniqueArray(fc.tuple(fc.constantFrom(...names), gen(spec.value, ctx)), { minLength: 1, maxLength: max, selector: (t) => t[0] }).map((e) => Object.fromEntries(e));
  }

  function queryArb(ctx: Ctx): Arb {
    const entries: { weight: number; arbitrary: Arb }[] = [];
    for (const [type, entry] of Object.entries(QUERIES)) {
      const compound = COMPOUND_QUERIES.has(type);
      if ((compound && ctx.q <= 0) || opts.skipQueries?.includes(type)) continue;
      const weight = RARE_QUERIES.has(type) ? 1 : compound ? 3 : 4;
      const qctx: Ctx = { ...ctx, q: compound ? ctx.q - 1 : ctx.q, inQuery: true, qType: type, key: undefined, field: undefined, kinds: QUERY_KINDS[type] ?? ANY_KIND };
      const body = entry.spec.t === 'obj' && !COMPOUND_QUERIES.has(type) && 'field' in entry.spec.keys
        ? withField(qctx.kinds!, (field) => gen(entry.spec, { ...qctx, field }))
        : gen(entry.spec, qctx);
      entries.push({ weight, arbitrary: body.map((b) => ({ [type]: b })) });
    }
    if (refusalWeight > 0) {
      entries.push({ weight: refusalWeight, arbitrary: fc.constantFrom(...Object.keys(REFUSED_QUERIES)).map((t) => ({ [t]: { field: 'text', query: 'qz' } })) });
    }
    return fc.oneof(...entries);
  }

  /** One aggregation of `type` with its options, nested aggregations where it buckets, sometimes meta. */
  function aggOf(type: string, ctx: Ctx, extra: Record<string, Arb> = {}): Arb {
    const spec = AGGREGATIONS[type]!.spec;
    const actx: Ctx = { ...ctx, aggType: type, key: undefined, field: undefined, kinds: AGG_KINDS[type] ?? ANY_KIND };
    const body = spec.t === 'obj' && 'field' in spec.keys ? withField(actx.kinds!, (field) => gen(spec, { ...actx, field })) : gen(spec, actx);
    // A sampler must have sub-aggregations.
    const subWeight = type === 'sampler' || type === 'diversified_sampler' ? 1 : 0.3;
    const sub = BUCKET_AGGS.has(type) && ctx.a > 0 ? optional(aggsArb({ ...ctx, a: ctx.a - 1 }), subWeight) : fc.constant(undefined);
    return fc.record({ [type]: body, aggs: sub, meta: optional(neutralLiteral('meta'), 0.05), ...extra }).map(compact);
  }

  function aggsArb(ctx: Ctx): Arb {
    const types = Object.keys(AGGREGATIONS).filter((t) => !PARENT_PIPELINES.includes(t) && !SIBLING_PIPELINES.includes(t) && t !== 'bucket_sort');
    const one: Arb = fc.oneof(
      ...types.map((t) => ({ weight: RARE_AGGS.has(t) || opts.rareAggs?.includes(t) ? 1 : 4, arbitrary: aggOf(t, ctx) })),
      ...(refusalWeight > 0 ? [{ weight: refusalWeight * 3, arbitrary: fc.constantFrom(...Object.keys(REFUSED_AGGREGATIONS)).map((t) => ({ [t]: t === 'global' ? {} : { field: 'id', min_doc_count: 0 } })) as Arb }] : []),
    );
    const plain = fc.array(one, { minLength: 1, maxLength: 2 }).map((list) => Object.fromEntries(list.map((a, i) => [`a${i}`, a])));
    // Pipelines need a path to buckets: siblings of a multi-bucket aggregation, or inside a histogram.
    const bucketsOf = fc.constantFrom('terms', 'histogram', 'date_histogram').chain((t) => aggOf(t, { ...ctx, a: 0 }));
    const sibling = fc.record({ a0: bucketsOf, p0: fc.constantFrom(...SIBLING_PIPELINES).chain((t) => aggOf(t, { ...ctx, a: 0 }).map((a) => ({ ...(a as object), [t]: { ...((a as Record<string, object>)[t]), buckets_path: 'a0>_count' } }))) });
    const parent = fc
      .tuple(fc.constantFrom('histogram', 'date_histogram').chain((t) => aggOf(t, { ...ctx, a: 0 })), fc.constantFrom(...PARENT_PIPELINES, 'bucket_sort').chain((t) => aggOf(t, { ...ctx, a: 0 })))
      .map(([h, p]) => ({ a0: { ...(h as object), aggs: { p0: p } } }));
    return ctx.a > 0 ? fc.oneof({ weight: 8, arbitrary: plain }, { weight: 1, arbitrary: sibling }, { weight: 1, arbitrary: parent }) : plain;
  }

  function sortArb(ctx: Ctx): Arb {
    if (ctx.aggType === 'bucket_sort') return fc.constantFrom([], [{ _count: { order: 'desc' } }], [{ _key: 'asc' }]);
    const kinds: readonly FieldKind[] = ctx.aggType === 'top_metrics' ? ['number', 'date'] : ['keyword', 'number', 'date'];
    const clause = fc.oneof(
      { weight: 30, arbitrary: withField(kinds, (f) => fc.constant(f.name)) },
      { weight: 40, arbitrary: withField(kinds, (f) => gen(FIELD_SORT, { ...ctx, key: 'sort', field: f }).map((v) => ({ [f.name]: v }))) },
      { weight: 10, arbitrary: fc.constantFrom({ _score: 'desc' }, '_doc', { _score: { order: 'asc' } }) },
      ...Object.entries(SPECIAL_SORTS)
        .filter(([k, s]) => s.t !== 'no' && !opts.skipSorts?.includes(k))
        .map(([k, s]) => ({ weight: 5, arbitrary: gen(s, { ...ctx, key: k }).map((v) => ({ [k]: v })) })),
      ...(refusalWeight > 0 ? [{ weight: 2 * refusalWeight, arbitrary: fc.constant({ _script: { type: 'number', script: 'doc' } }) as Arb }] : []),
    );
    return fc.oneof({ weight: 2, arbitrary: clause }, { weight: 1, arbitrary: fc.array(clause, { minLength: 1, maxLength: 2 }) });
  }

  const topCtx: Ctx = { q: opts.queryDepth ?? 2, a: opts.aggDepth ?? 2, inQuery: false };
  const TOP_WEIGHTS: Record<string, number> = {
    query: 0.75, post_filter: 0.12, aggs: 0.4, aggregations: 0.04, sort: 0.2, highlight: 0.2, rescore: 0.1, collapse: 0.08, _source: 0.15, fields: 0.1,
    docvalue_fields: 0.1, from: 0.1, size: 0.3, search_after: 0.04, track_total_hits: 0.12, track_scores: 0.08, timeout: 0.04, terminate_after: 0.04,
    min_score: 0.04, version: 0.06, seq_no_primary_term: 0.04,
  };
  const top: Record<string, Arb> = {};
  for (const [key, entry] of Object.entries(TOP_LEVEL)) {
    if (entry.spec.t === 'no') continue;
    const w = TOP_WEIGHTS[key] ?? 0.05;
    const child = key === 'collapse' ? withField(['keyword'], (f) => gen(entry.spec, { ...topCtx, key, field: f })) : gen(entry.spec, { ...topCtx, key, ...(key === 'docvalue_fields' ? { kinds: AGGREGATABLE } : {}) });
    top[key] = optional(child, w);
  }
  const refusedTop = Object.entries(TOP_LEVEL).filter(([, e]) => e.spec.t === 'no').map(([k]) => k);
  const REFUSED_TOP_BODIES: Record<string, unknown> = {
    suggest: { s: { text: 'qz', term: { field: 'text', min_doc_freq: 0 } } },
    script_fields: { x: { script: 'doc["id"].value' } },
    runtime_mappings: { x: { type: 'keyword' } },
    stored_fields: ['_source'],
    indices_boost: [{ other: 2 }],
  };
  const refusedKey = fc.constantFrom(...refusedTop).map((k) => [k, REFUSED_TOP_BODIES[k] ?? true] as const);

  const searchBody: fc.Arbitrary<Record<string, unknown>> = fc
    .tuple(fc.record(top).map(compact), refusalWeight > 0 ? optional(refusedKey, 0.04 * refusalWeight) : fc.constant(undefined))
    .map(([b, r]) => {
      const body = { ...b };
      // search_after pages a sort: give it one it fits. collapse and rescore do not go together.
      if ('search_after' in body) {
        body['sort'] = [{ createdAt: 'asc' }];
        body['search_after'] = [Array.isArray(body['search_after']) && body['search_after'][0] === 1 ? 0 : 1_700_000_000_000];
      }
      if ('collapse' in body) delete body['rescore'];
      if ('rescore' in body) delete body['sort'];
      if (r) body[(r as readonly [string, unknown])[0]] = (r as readonly [string, unknown])[1];
      return body;
    });

  const search: fc.Arbitrary<GeneratedSearch> = searchBody.map((body) => ({ kind: '_search' as const, body }));
  const count: fc.Arbitrary<GeneratedSearch> = fc
    .oneof({ weight: 6, arbitrary: optional(queryArb(topCtx), 0.9).map((q) => (q === undefined ? {} : { query: q })) }, { weight: 1, arbitrary: searchBody })
    .map((body) => ({ kind: '_count' as const, body: body as Record<string, unknown> }));
  // One refused line refuses the whole msearch: lines mostly from the allowed grammar, now and then one that may carry refused parts.
  const allowedBody = refusalWeight > 0 ? searchBodyArbitraries(pool, { ...opts, refusals: 0 }).search.map((g) => g.body) : searchBody;
  const header = fc.record({ request_cache: optional(fc.boolean(), 0.2), search_type: optional(fc.constant('query_then_fetch'), 0.1) }).map(compact);
  const msearch: fc.Arbitrary<GeneratedMsearch> = fc
    .tuple(fc.array(fc.record({ header, body: allowedBody }), { minLength: 2, maxLength: 4 }), optional(fc.record({ header, body: searchBody }), 0.2), fc.nat())
    .map(([lines, extra, at]) => {
      const all = [...lines];
      if (extra) all.splice(at % (all.length + 1), 0, extra as (typeof lines)[number]);
      return { kind: '_msearch' as const, lines: all };
    });
  return { search, count, msearch, query: queryArb(topCtx), aggs: aggsArb(topCtx) };
}

/** Top-level keys, aggregation types and query types a body uses (for the accepted/refused tally). */
export function featuresOf(body: unknown): string[] {
  const out = new Set<string>();
  if (body && typeof body === 'object' && !Array.isArray(body)) for (const k of Object.keys(body)) out.add(k);
  const walk = (v: unknown, parentKey: string | undefined) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, parentKey));
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if ((parentKey === 'aggs' || parentKey === 'aggregations') && x && typeof x === 'object') {
        for (const t of Object.keys(x)) if (t !== 'aggs' && t !== 'aggregations' && t !== 'meta') out.add(`agg:${t}`);
      }
      walk(x, k);
    }
  };
  walk(body, undefined);
  return [...out];
}
