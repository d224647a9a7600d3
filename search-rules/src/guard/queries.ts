import { parseFuzz, type SearchText } from './search-text';
import { geoByField, geoDecays, geoField, type GeoReader } from './geo-use';
import {
  any, arr, bool, byField, common, field, fields, format, fuzziness, int, list, literal, matching,
  maxExpansions, minimumShouldMatch, no, num, obj, oneOf, operator, query, rewrite, scalar, str, timeZone, type Keys, type Spec,
} from './spec';

/**
 * Query types a search may use, each with the options it may carry. Why a
 * query type is safe at all: every query the caller writes runs inside
 * `bool.must`, beside the rewriter's `must_not` on hidden states, so it can
 * only choose among visible documents; what it must not do is read other
 * documents or indices (lookups, joins, percolation), run scripts, or pin
 * documents past the filter. The texts each one searches for are read out
 * (`read`) for the block check.
 */
export interface QueryEntry {
  readonly spec: Spec;
  readonly why: string;
  readonly read?: (body: Record<string, unknown>, out: SearchText[]) => void;
  /**
   * The clause as sent to Elasticsearch with its term expansion uncapped. Left to Elasticsearch's default
   * (50), a fuzzy or prefix word keeps only the first terms of the whole index, hidden posts' included, and
   * which ones it kept shows in the hits; the rewriter sets the cap to EXPAND_ALL.
   */
  readonly cap?: (body: Record<string, unknown>) => Record<string, unknown>;
  /** The geo fields it reads (geo_distance and friends), for switches that forbid geo searches on some fields. */
  readonly geo?: GeoReader;
}

// Per query type: an option of one (geo_distance's `distance`) can be a geo field's name in another.
const GEO_COMMON = ['validation_method', 'ignore_unmapped', 'boost', '_name'] as const;
const GEO_DISTANCE_OPTIONS = [...GEO_COMMON, 'distance', 'distance_type'] as const;
const GEO_BOX_OPTIONS = [...GEO_COMMON, 'type'] as const;
const GEO_POLYGON_OPTIONS = GEO_COMMON;

/** Term expansions a multi-term word may make (the only value accepted from callers, and the one set for them). */
export const EXPAND_ALL = 10_000;

/** `{ field: text | { key: text, ... } }` with `option` set on every field's object form (when `when` holds). */
function capEach(key: 'query' | 'value', option: string, when: (o: Body) => boolean = () => true) {
  return (body: Body): Body => {
    const out: Body = {};
    for (const [k, v] of Object.entries(body)) {
      if (k === 'boost' || k === '_name') out[k] = v;
      else if (isObj(v)) out[k] = when(v) ? { ...v, [option]: EXPAND_ALL } : v;
      else out[k] = when({}) ? { [key]: v, [option]: EXPAND_ALL } : v;
    }
    return out;
  };
}
const fuzzySet = (o: Body): boolean => parseFuzz(o['fuzziness']) !== 0;

type Body = Record<string, unknown>;
const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

const zeroTerms = oneOf('none', 'all', 'NONE', 'ALL');
/**
 * Analysers a search may name: those whose splitting the refusal check
 * reads (see block-check.ts readings). Stemming and pattern analysers would
 * turn other words into blocked ones, and `stop` turns stop words into gaps
 * any word fills inside a phrase, so they are not accepted.
 */
const analyzer = oneOf('standard', 'simple', 'whitespace', 'keyword');
const matchOptions: Keys = {
  query: scalar,
  operator,
  minimum_should_match: minimumShouldMatch,
  fuzziness,
  prefix_length: int(0, 1000),
  max_expansions: maxExpansions,
  fuzzy_transpositions: bool,
  fuzzy_rewrite: rewrite,
  lenient: bool,
  zero_terms_query: zeroTerms,
  analyzer,
  auto_generate_synonyms_phrase_query: bool,
  cutoff_frequency: num,
  ...common,
};
const phraseOptions: Keys = { query: scalar, slop: int(0, 1000), analyzer, zero_terms_query: zeroTerms, ...common };
const slopOf = (o: Body): number => (typeof o['slop'] === 'number' ? o['slop'] : 0);
const multiMatchType = oneOf('best_fields', 'most_fields', 'cross_fields', 'phrase', 'phrase_prefix', 'bool_prefix');
const termLevel = (value: Spec, extra: Keys = {}): Spec => byField(any(value, obj({ value, ...extra, ...common }, ['value'])));
const clauses = list(query, 1024);

/** Reads `{ field: text | { query|value: text, ...options } }`. */
function perField(key: 'query' | 'value', make: (text: string, opts: Body) => SearchText) {
  return (body: Body, out: SearchText[]): void => {
    for (const [k, v] of Object.entries(body)) {
      if (k === 'boost' || k === '_name') continue;
      if (isObj(v)) {
        const text = v[key];
        if (text !== undefined && text !== null) out.push(make(String(text), v));
      } else if (v !== null && v !== undefined) out.push(make(String(v), {}));
    }
  };
}

export const QUERIES: Readonly<Record<string, QueryEntry>> = {
  match_all: { spec: obj(common), why: 'matches every visible document' },
  match_none: { spec: obj(common), why: 'matches nothing' },
  match: {
    spec: byField(any(scalar, obj(matchOptions, ['query']))),
    why: 'analysed text; its words (fuzzy when asked) are checked',
    read: perField('query', (text, o) => ({ kind: 'text', text, fuzziness: parseFuzz(o['fuzziness']) })),
    cap: capEach('query', 'max_expansions', fuzzySet),
  },
  match_phrase: {
    spec: byField(any(scalar, obj(phraseOptions, ['query']))),
    why: 'analysed phrase; checked as text, in any order when it has slop',
    read: perField('query', (text, o) => ({ kind: 'text', text, slop: slopOf(o) })),
  },
  match_phrase_prefix: {
    spec: byField(any(scalar, obj({ ...phraseOptions, max_expansions: maxExpansions }, ['query']))),
    why: 'a phrase whose last word is a prefix: checked as such',
    read: perField('query', (text, o) => ({ kind: 'text', text, prefixLast: true, slop: slopOf(o) })),
    cap: capEach('query', 'max_expansions'),
  },
  match_bool_prefix: {
    spec: byField(any(scalar, obj(matchOptions, ['query']))),
    why: 'words, the last a prefix, fuzzy when asked: checked as such',
    read: perField('query', (text, o) => ({ kind: 'text', text, prefixLast: true, fuzziness: parseFuzz(o['fuzziness']) })),
    cap: capEach('query', 'max_expansions'),
  },
  multi_match: {
    spec: obj({ ...matchOptions, fields, type: multiMatchType, tie_breaker: num, slop: int(0, 1000) }, ['query']),
    why: 'analysed text over several fields; checked as text, prefix types as prefixes',
    read: (b, out) =>
      out.push({
        kind: 'text',
        text: String(b['query']),
        fuzziness: parseFuzz(b['fuzziness']),
        prefixLast: b['type'] === 'phrase_prefix' || b['type'] === 'bool_prefix',
        slop: slopOf(b),
      }),
    cap: (b) => (b['type'] === 'phrase_prefix' || b['type'] === 'bool_prefix' || fuzzySet(b) ? { ...b, max_expansions: EXPAND_ALL } : b),
  },
  combined_fields: {
    spec: obj({ query: scalar, fields, operator, minimum_should_match: minimumShouldMatch, zero_terms_query: zeroTerms, auto_generate_synonyms_phrase_query: bool, ...common }, ['query']),
    why: 'analysed text over several fields; checked as text',
    read: (b, out) => out.push({ kind: 'text', text: String(b['query']) }),
  },
  query_string: {
    spec: obj(
      {
        query: str(4096),
        default_field: field,
        fields,
        default_operator: operator,
        analyzer,
        quote_analyzer: analyzer,
        allow_leading_wildcard: bool,
        enable_position_increments: bool,
        fuzzy_max_expansions: maxExpansions,
        fuzziness,
        fuzzy_prefix_length: int(0, 1000),
        fuzzy_transpositions: bool,
        phrase_slop: int(0, 1000),
        analyze_wildcard: bool,
        max_determinized_states: int(1, 10_000),
        minimum_should_match: minimumShouldMatch,
        quote_field_suffix: str(64),
        lenient: bool,
        time_zone: timeZone,
        auto_generate_synonyms_phrase_query: bool,
        rewrite,
        fuzzy_rewrite: rewrite,
        type: multiMatchType,
        tie_breaker: num,
        escape: bool,
        ...common,
      },
      ['query'],
    ),
    why: 'Lucene syntax, parsed as Elasticsearch parses it (escapes, operators, fields, fuzzy, wildcards, regexps, ranges) before the check',
    read: (b, out) => {
      const text = String(b['query']);
      out.push({ kind: 'query_string', text, fuzziness: parseFuzz(b['fuzziness'], 'auto'), prefixWords: b['type'] === 'phrase_prefix' || b['type'] === 'bool_prefix' });
      // With escape, Elasticsearch reads the whole string as words; phrase_slop lets quoted words move.
      if (b['escape'] === true || (typeof b['phrase_slop'] === 'number' && b['phrase_slop'] > 0)) {
        out.push({ kind: 'text', text, slop: typeof b['phrase_slop'] === 'number' ? b['phrase_slop'] : 0 });
      }
    },
    cap: (b) => ({ ...b, fuzzy_max_expansions: EXPAND_ALL }),
  },
  simple_query_string: {
    spec: obj(
      {
        query: str(4096),
        fields,
        default_operator: operator,
        analyzer,
        flags: matching(/^[A-Z_|]{1,200}$/, 'flag names joined by |', 200),
        fuzzy_max_expansions: maxExpansions,
        fuzzy_prefix_length: int(0, 1000),
        fuzzy_transpositions: bool,
        lenient: bool,
        minimum_should_match: minimumShouldMatch,
        quote_field_suffix: str(64),
        analyze_wildcard: bool,
        auto_generate_synonyms_phrase_query: bool,
        ...common,
      },
      ['query'],
    ),
    why: 'simple syntax, parsed (prefix *, fuzzy ~N, phrases) before the check',
    read: (b, out) => out.push({ kind: 'simple_query_string', text: String(b['query']) }),
    cap: (b) => ({ ...b, fuzzy_max_expansions: EXPAND_ALL }),
  },
  term: {
    spec: termLevel(scalar, { case_insensitive: bool }),
    why: 'an exact term; checked as text',
    read: perField('value', (text) => ({ kind: 'term', text })),
  },
  terms: {
    spec: byField(any(arr(scalar, 65_536), no('terms lookup reads documents from an index')), common),
    why: 'exact terms; each checked as text. Lookups (an object instead of a list) are refused',
    read: (b, out) => {
      for (const [k, v] of Object.entries(b)) {
        if (k !== 'boost' && k !== '_name' && Array.isArray(v)) for (const x of v) out.push({ kind: 'term', text: String(x) });
      }
    },
  },
  range: {
    spec: byField(
      obj({
        gt: any(scalar, literal),
        gte: any(scalar, literal),
        lt: any(scalar, literal),
        lte: any(scalar, literal),
        from: any(scalar, literal),
        to: any(scalar, literal),
        include_lower: bool,
        include_upper: bool,
        format,
        relation: oneOf('INTERSECTS', 'CONTAINS', 'WITHIN', 'intersects', 'contains', 'within'),
        time_zone: timeZone,
        ...common,
      }),
    ),
    why: 'on a text or keyword field a range is a term range: one bounded on both ends by strings is checked for blocked terms inside it',
    read: (b, out) => {
      for (const [k, v] of Object.entries(b)) {
        if (k === 'boost' || k === '_name' || !isObj(v)) continue;
        // Every spelling of each bound: Elasticsearch keeps whichever comes last.
        // A number or boolean bound is a string to a text or keyword field.
        const str = (x: unknown) => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined);
        const froms = [v['gte'], v['gt'], v['from']].map(str).filter((x): x is string => x !== undefined);
        const tos = [v['lte'], v['lt'], v['to']].map(str).filter((x): x is string => x !== undefined);
        for (const from of froms) for (const to of tos) out.push({ kind: 'range', from, to });
        for (const value of froms) out.push({ kind: 'bound', field: k, side: 'from', value });
        for (const value of tos) out.push({ kind: 'bound', field: k, side: 'to', value });
      }
    },
  },
  exists: { spec: obj({ field, ...common }, ['field']), why: 'tests a field of visible documents' },
  prefix: {
    spec: termLevel(str(4096), { rewrite, case_insensitive: bool }),
    why: 'a prefix: refused when it can begin a blocked term',
    read: perField('value', (text) => ({ kind: 'prefix', text })),
  },
  wildcard: {
    spec: byField(any(str(4096), obj({ value: str(4096), wildcard: str(4096), rewrite, case_insensitive: bool, ...common }))),
    why: 'a wildcard pattern: refused when it can match a blocked term',
    read: (b, out) => {
      for (const [k, v] of Object.entries(b)) {
        if (k === 'boost' || k === '_name') continue;
        // Both spellings: Elasticsearch keeps whichever comes last.
        for (const text of isObj(v) ? [v['value'], v['wildcard']] : [v]) if (typeof text === 'string') out.push({ kind: 'wildcard', text });
      }
    },
  },
  regexp: {
    spec: termLevel(str(1000), { flags: matching(/^[A-Z_|]{1,200}$/, 'flag names joined by |', 200), max_determinized_states: int(1, 10_000), rewrite, case_insensitive: bool }),
    why: 'a regular expression: refused when it can match a blocked term (read as a superset when unsure)',
    read: perField('value', (text) => ({ kind: 'regexp', text })),
  },
  fuzzy: {
    spec: termLevel(scalar, { fuzziness, max_expansions: maxExpansions, prefix_length: int(0, 1000), transpositions: bool, rewrite }),
    why: 'a fuzzy term: refused when it lies within its edit distance of a blocked term',
    read: perField('value', (text, o) => ({ kind: 'fuzzy', text, fuzziness: parseFuzz(o['fuzziness'], 'auto') })),
    cap: capEach('value', 'max_expansions'),
  },
  ids: { spec: obj({ values: arr(scalar, 10_000), ...common }), why: 'ids of visible documents only (the filter still applies)' },
  geo_distance: {
    spec: byField(literal, { distance: scalar, distance_type: oneOf('arc', 'plane'), validation_method: oneOf('STRICT', 'IGNORE_MALFORMED', 'COERCE'), ignore_unmapped: bool, ...common }),
    why: 'a point and a distance: no text, no documents from elsewhere',
    geo: geoByField(GEO_DISTANCE_OPTIONS),
  },
  geo_bounding_box: {
    spec: byField(literal, { validation_method: oneOf('STRICT', 'IGNORE_MALFORMED', 'COERCE'), ignore_unmapped: bool, type: oneOf('indexed', 'memory'), ...common }),
    why: 'a box given in the body: no text, no documents from elsewhere',
    geo: geoByField(GEO_BOX_OPTIONS),
  },
  geo_polygon: {
    spec: byField(literal, { validation_method: oneOf('STRICT', 'IGNORE_MALFORMED', 'COERCE'), ignore_unmapped: bool, ...common }),
    why: 'a polygon given in the body: no text, no documents from elsewhere',
    geo: geoByField(GEO_POLYGON_OPTIONS),
  },
  rank_feature: {
    spec: obj({ field, saturation: obj({ pivot: num }), log: obj({ scaling_factor: num }), sigmoid: obj({ pivot: num, exponent: num }), linear: obj({}), ...common }, ['field']),
    why: 'scores visible documents by a feature',
  },
  distance_feature: {
    spec: obj({ field, origin: any(scalar, literal), pivot: scalar, ...common }, ['field', 'origin', 'pivot']),
    why: 'scores visible documents by distance',
    // On a geo_point field it ranks by proximity to a point (on a date field, by time: a field no switch gates).
    geo: geoField,
  },
  bool: {
    spec: obj({ must: clauses, filter: clauses, should: clauses, must_not: clauses, minimum_should_match: minimumShouldMatch, adjust_pure_negative: bool, ...common }),
    why: 'combines checked clauses',
  },
  dis_max: { spec: obj({ queries: arr(query, 1024), tie_breaker: num, ...common }, ['queries']), why: 'combines checked clauses' },
  constant_score: { spec: obj({ filter: query, ...common }, ['filter']), why: 'wraps a checked clause' },
  boosting: { spec: obj({ positive: query, negative: query, negative_boost: num, ...common }, ['positive', 'negative']), why: 'combines checked clauses' },
  function_score: {
    spec: obj({
      query,
      functions: arr(obj({ filter: query, weight: num, field_value_factor: fieldValueFactor(), random_score: randomScore(), gauss: decay(), linear: decay(), exp: decay() }), 64),
      boost_mode: oneOf('multiply', 'replace', 'sum', 'avg', 'max', 'min'),
      score_mode: oneOf('multiply', 'sum', 'avg', 'first', 'max', 'min'),
      max_boost: num,
      min_score: num,
      weight: num,
      field_value_factor: fieldValueFactor(),
      random_score: randomScore(),
      gauss: decay(),
      linear: decay(),
      exp: decay(),
      ...common,
    }),
    why: 'rescores visible documents without scripts; its query and filters are checked',
    geo: geoDecays,
  },
  nested: {
    spec: obj({ path: field, query, score_mode: oneOf('avg', 'sum', 'min', 'max', 'none'), ignore_unmapped: bool, inner_hits: no('inner_hits run their own queries'), ...common }, ['path', 'query']),
    why: 'matches inside visible documents',
  },
};

function fieldValueFactor(): Spec {
  return obj({ field, factor: num, modifier: oneOf('none', 'log', 'log1p', 'log2p', 'ln', 'ln1p', 'ln2p', 'square', 'sqrt', 'reciprocal'), missing: num }, ['field']);
}
function randomScore(): Spec {
  return obj({ seed: scalar, field });
}
function decay(): Spec {
  return byField(obj({ origin: any(scalar, literal), scale: scalar, offset: scalar, decay: num }), { multi_value_mode: oneOf('min', 'max', 'avg', 'sum') });
}

/** Query types refused, and why (also the error message). */
export const REFUSED_QUERIES: Readonly<Record<string, string>> = {
  script: 'scripts are refused',
  script_score: 'scripts are refused',
  has_child: 'join queries can return related documents',
  has_parent: 'join queries can return related documents',
  parent_id: 'join queries can return related documents',
  percolate: 'percolate reads documents, possibly from other indices',
  pinned: 'pinned queries promote documents by id',
  rule: 'query rules pin documents',
  wrapper: 'wrapper queries hide their content from the guard',
  knn: 'kNN queries are refused',
  semantic: 'semantic queries are refused',
  sparse_vector: 'vector queries are refused',
  text_expansion: 'vector queries are refused',
  weighted_tokens: 'vector queries are refused',
  geo_shape: 'shape queries can read indexed shapes from other indices',
  shape: 'shape queries can read indexed shapes from other indices',
  terms_set: 'terms_set can run scripts',
  intervals: 'interval rules are a second query language the guard does not read',
  more_like_this: 'it picks its terms by document frequencies over the whole index, hidden documents included: one search tells whether a removed post holds a word',
  span_term: 'span queries are not read by the guard',
  span_near: 'span queries are not read by the guard',
  span_or: 'span queries are not read by the guard',
  span_not: 'span queries are not read by the guard',
  span_first: 'span queries are not read by the guard',
  span_multi: 'span queries are not read by the guard',
  span_containing: 'span queries are not read by the guard',
  span_within: 'span queries are not read by the guard',
  field_masking_span: 'span queries are not read by the guard',
};
