import { ValidationError } from '@takedown/shared';

/**
 * Refuses any part of a search body that could surface a filtered document
 * or reveal the rules outside `query`. Allowlist: a key or query/aggregation
 * type not listed here is refused, so a new Elasticsearch feature stays shut
 * until someone has thought about it. The package README has the table.
 */
export class SearchGuardError extends ValidationError {
  constructor(message: string, path: string, code = 'search_body_refused') {
    super(message, path, code);
  }
}

export interface GuardContext {
  /** Largest `size` accepted (defaults to 1000). */
  maxSize?: number;
  /** Largest `from + size` accepted (defaults to 10000, Elasticsearch's own window). */
  maxWindow?: number;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** Top-level keys and what happens to them. Anything else is refused. */
export const TOP_LEVEL: Readonly<Record<string, 'pass' | 'check' | 'rewrite'>> = {
  query: 'rewrite',
  from: 'check',
  size: 'check',
  sort: 'check',
  _source: 'check',
  fields: 'check',
  docvalue_fields: 'check',
  highlight: 'check',
  aggs: 'check',
  aggregations: 'check',
  post_filter: 'check',
  rescore: 'check',
  collapse: 'check',
  search_after: 'pass',
  track_total_hits: 'pass',
  track_scores: 'pass',
  timeout: 'pass',
  terminate_after: 'pass',
  min_score: 'pass',
  version: 'pass',
  seq_no_primary_term: 'pass',
};

/** Why each refused top-level key is refused (also used in error messages). */
export const REFUSED_TOP_LEVEL: Readonly<Record<string, string>> = {
  script_fields: 'scripts are refused',
  runtime_mappings: 'runtime fields run scripts and can shadow moderation fields',
  suggest: 'suggesters (completion) return documents outside the query',
  knn: 'top-level kNN retrieves documents outside the query filter',
  retriever: 'retrievers run their own queries outside the filter',
  sub_searches: 'sub-searches run their own queries outside the filter',
  rank: 'ranking across sub-searches is refused with them',
  explain: 'explain output reveals the filter and the rules',
  profile: 'profile output reveals the filter and the rules',
  pit: 'point-in-time searches are refused (use the service per request)',
  stored_fields: 'stored fields are refused: only _source filtering is allowed',
  indices_boost: 'names other indices',
  slice: 'sliced scrolls are refused',
  stats: 'stats groups are refused',
  ext: 'plugin extensions are refused',
  id: 'stored search templates are refused',
  source: 'inline search templates are refused',
  params: 'search templates are refused',
  script: 'scripts are refused',
};

/** Query types allowed, with how their children are found. */
const QUERY_TYPES: Readonly<Record<string, 'leaf' | 'compound'>> = {
  match_all: 'leaf',
  match_none: 'leaf',
  match: 'leaf',
  match_phrase: 'leaf',
  match_phrase_prefix: 'leaf',
  match_bool_prefix: 'leaf',
  multi_match: 'leaf',
  combined_fields: 'leaf',
  query_string: 'leaf',
  simple_query_string: 'leaf',
  term: 'leaf',
  terms: 'leaf',
  range: 'leaf',
  exists: 'leaf',
  prefix: 'leaf',
  wildcard: 'leaf',
  regexp: 'leaf',
  fuzzy: 'leaf',
  ids: 'leaf',
  intervals: 'leaf',
  geo_distance: 'leaf',
  geo_bounding_box: 'leaf',
  geo_polygon: 'leaf',
  rank_feature: 'leaf',
  distance_feature: 'leaf',
  more_like_this: 'leaf',
  bool: 'compound',
  dis_max: 'compound',
  constant_score: 'compound',
  boosting: 'compound',
  function_score: 'compound',
  nested: 'compound',
};

const REFUSED_QUERIES: Readonly<Record<string, string>> = {
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
  geo_shape: 'shape queries can read indexed shapes from other indices',
  shape: 'shape queries can read indexed shapes from other indices',
  terms_set: 'terms_set can run scripts',
};

const AGG_TYPES = new Set([
  'terms', 'avg', 'sum', 'min', 'max', 'value_count', 'cardinality', 'stats', 'extended_stats', 'percentiles',
  'percentile_ranks', 'median_absolute_deviation', 'histogram', 'date_histogram', 'auto_date_histogram', 'range',
  'date_range', 'ip_range', 'filter', 'filters', 'missing', 'composite', 'nested', 'reverse_nested', 'sampler',
  'diversified_sampler', 'significant_terms', 'rare_terms', 'multi_terms', 'top_hits', 'top_metrics', 'geo_bounds',
  'geo_centroid', 'geohash_grid', 'geotile_grid', 'weighted_avg', 'avg_bucket', 'sum_bucket', 'min_bucket',
  'max_bucket', 'stats_bucket', 'extended_stats_bucket', 'percentiles_bucket', 'derivative', 'cumulative_sum',
  'serial_diff', 'bucket_sort', 'cardinality',
]);

const REFUSED_AGGS: Readonly<Record<string, string>> = {
  global: 'global aggregations ignore the query and its filter',
  children: 'join aggregations reach related documents',
  parent: 'join aggregations reach related documents',
  scripted_metric: 'scripts are refused',
  bucket_script: 'scripts are refused',
  bucket_selector: 'scripts are refused',
  significant_text: 'significant_text re-reads source text outside the query',
};

const AGG_META_KEYS = new Set(['aggs', 'aggregations', 'meta']);

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refuse(path: string, why: string): never {
  throw new SearchGuardError(`search body refused at ${path || '/'}: ${why}`, path);
}

function esc(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Throws SearchGuardError for the first refused construct; returns silently for a safe body. */
export function guardSearchBody(body: unknown, ctx: GuardContext = {}): void {
  if (body === undefined || body === null) return;
  if (!isObj(body as Json)) refuse('', 'the body must be a JSON object');
  const b = body as Obj;
  for (const [key, value] of Object.entries(b)) {
    const path = `/${esc(key)}`;
    const rule = TOP_LEVEL[key];
    if (rule === undefined) refuse(path, REFUSED_TOP_LEVEL[key] ?? `unknown or unsupported key "${key}"`);
    switch (key) {
      case 'query':
      case 'post_filter':
        checkQuery(value, path);
        break;
      case 'from':
      case 'size':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) refuse(path, 'must be a non-negative integer');
        break;
      case 'aggs':
      case 'aggregations':
        checkAggs(value, path);
        break;
      case 'sort':
        checkSort(value, path);
        break;
      case '_source':
      case 'fields':
      case 'docvalue_fields':
        checkFieldList(value, path);
        break;
      case 'highlight':
        checkHighlight(value, path);
        break;
      case 'rescore':
        checkRescore(value, path);
        break;
      case 'collapse':
        if (!isObj(value) || typeof value['field'] !== 'string') refuse(path, 'collapse needs a field');
        for (const k of Object.keys(value)) {
          if (k === 'inner_hits') refuse(`${path}/inner_hits`, 'collapse inner_hits run their own queries');
          if (k !== 'field' && k !== 'max_concurrent_group_searches') refuse(`${path}/${esc(k)}`, `unknown collapse option "${k}"`);
        }
        break;
      default:
        break;
    }
  }
  const size = typeof b['size'] === 'number' ? b['size'] : 10;
  const from = typeof b['from'] === 'number' ? b['from'] : 0;
  if (size > (ctx.maxSize ?? 1000)) refuse('/size', `size above ${ctx.maxSize ?? 1000}`);
  if (from + size > (ctx.maxWindow ?? 10000)) refuse('/from', `from + size above ${ctx.maxWindow ?? 10000}`);
}

/** A query clause: exactly one known type, recursively checked. */
export function checkQuery(q: Json | undefined, path: string): void {
  if (!isObj(q)) refuse(path, 'a query must be an object');
  const keys = Object.keys(q);
  if (keys.length !== 1) refuse(path, 'a query object must have exactly one query type');
  const type = keys[0] as string;
  const body = q[type];
  const p = `${path}/${esc(type)}`;
  const refused = REFUSED_QUERIES[type];
  if (refused) refuse(p, refused);
  const kind = QUERY_TYPES[type];
  if (!kind) refuse(p, `unknown or unsupported query type "${type}"`);
  noScripts(body, p);
  if (kind === 'leaf') return checkLeaf(type, body, p);
  if (!isObj(body)) refuse(p, `${type} must be an object`);
  switch (type) {
    case 'bool':
      for (const [k, v] of Object.entries(body)) {
        const kp = `${p}/${esc(k)}`;
        if (['must', 'filter', 'should', 'must_not'].includes(k)) {
          if (Array.isArray(v)) v.forEach((c, i) => checkQuery(c, `${kp}/${i}`));
          else checkQuery(v, kp);
        } else if (!['minimum_should_match', 'boost', '_name'].includes(k)) refuse(kp, `unknown bool option "${k}"`);
      }
      return;
    case 'dis_max':
      if (!Array.isArray(body['queries'])) refuse(`${p}/queries`, 'dis_max needs queries');
      body['queries'].forEach((c, i) => checkQuery(c, `${p}/queries/${i}`));
      return onlyKeys(body, p, ['queries', 'tie_breaker', 'boost', '_name']);
    case 'constant_score':
      checkQuery(body['filter'], `${p}/filter`);
      return onlyKeys(body, p, ['filter', 'boost', '_name']);
    case 'boosting':
      checkQuery(body['positive'], `${p}/positive`);
      checkQuery(body['negative'], `${p}/negative`);
      return onlyKeys(body, p, ['positive', 'negative', 'negative_boost', 'boost', '_name']);
    case 'nested':
      if ('inner_hits' in body) refuse(`${p}/inner_hits`, 'inner_hits run their own queries');
      checkQuery(body['query'], `${p}/query`);
      return onlyKeys(body, p, ['path', 'query', 'score_mode', 'ignore_unmapped', 'boost', '_name']);
    case 'function_score':
      if (body['query'] !== undefined) checkQuery(body['query'], `${p}/query`);
      if (body['functions'] !== undefined) {
        if (!Array.isArray(body['functions'])) refuse(`${p}/functions`, 'functions must be an array');
        body['functions'].forEach((f, i) => {
          const fp = `${p}/functions/${i}`;
          if (!isObj(f)) refuse(fp, 'a function must be an object');
          for (const k of Object.keys(f)) {
            if (k === 'filter') checkQuery(f[k], `${fp}/filter`);
            else if (!['weight', 'field_value_factor', 'random_score', 'gauss', 'linear', 'exp'].includes(k)) {
              refuse(`${fp}/${esc(k)}`, `function "${k}" is refused`);
            }
          }
        });
      }
      return onlyKeys(body, p, [
        'query', 'functions', 'boost', 'boost_mode', 'score_mode', 'max_boost', 'min_score', 'weight',
        'field_value_factor', 'random_score', '_name',
      ]);
    default:
      return;
  }
}

function checkLeaf(type: string, body: Json | undefined, p: string): void {
  if (type === 'terms' && isObj(body)) {
    for (const [field, v] of Object.entries(body)) {
      if (isObj(v)) refuse(`${p}/${esc(field)}`, 'terms lookup reads documents from an index');
    }
  }
  if (type === 'more_like_this' && isObj(body)) {
    for (const k of ['like', 'unlike']) {
      const v = body[k];
      const items = Array.isArray(v) ? v : v === undefined ? [] : [v];
      items.forEach((item, i) => {
        if (typeof item !== 'string') {
          refuse(`${p}/${k}${Array.isArray(v) ? `/${i}` : ''}`, 'more_like_this may only take text, not documents');
        }
      });
    }
  }
}

function onlyKeys(body: Obj, p: string, allowed: string[]): void {
  for (const k of Object.keys(body)) if (!allowed.includes(k)) refuse(`${p}/${esc(k)}`, `unknown option "${k}"`);
}

/** Scripts of any kind, anywhere below a clause. */
function noScripts(v: Json | undefined, p: string): void {
  if (Array.isArray(v)) v.forEach((c, i) => noScripts(c, `${p}/${i}`));
  else if (isObj(v)) {
    for (const [k, c] of Object.entries(v)) {
      if (k === 'script' || k === 'script_score' || k === '_script' || k === 'minimum_should_match_script') {
        refuse(`${p}/${esc(k)}`, 'scripts are refused');
      }
      noScripts(c, `${p}/${esc(k)}`);
    }
  }
}

function checkAggs(aggs: Json | undefined, path: string): void {
  if (!isObj(aggs)) refuse(path, 'aggregations must be an object');
  for (const [name, agg] of Object.entries(aggs)) {
    const ap = `${path}/${esc(name)}`;
    if (!isObj(agg)) refuse(ap, 'an aggregation must be an object');
    const types = Object.keys(agg).filter((k) => !AGG_META_KEYS.has(k));
    if (types.length !== 1) refuse(ap, 'an aggregation must have exactly one type');
    const type = types[0] as string;
    const tp = `${ap}/${esc(type)}`;
    const refused = REFUSED_AGGS[type];
    if (refused) refuse(tp, refused);
    if (!AGG_TYPES.has(type)) refuse(tp, `unknown or unsupported aggregation "${type}"`);
    const body = agg[type];
    noScripts(body, tp);
    if (type === 'filter') checkQuery(body, tp);
    if (type === 'filters' && isObj(body)) {
      const f = body['filters'];
      if (Array.isArray(f)) f.forEach((q, i) => checkQuery(q, `${tp}/filters/${i}`));
      else if (isObj(f)) for (const [k, q] of Object.entries(f)) checkQuery(q, `${tp}/filters/${esc(k)}`);
    }
    if (type === 'significant_terms' && isObj(body) && 'background_filter' in body) {
      refuse(`${tp}/background_filter`, 'background filters count documents outside the query');
    }
    if (type === 'top_hits' && isObj(body)) {
      for (const k of Object.keys(body)) {
        if (['script_fields', 'explain', 'stored_fields'].includes(k)) {
          refuse(`${tp}/${esc(k)}`, `top_hits option "${k}" is refused`);
        }
      }
      if (body['highlight'] !== undefined) checkHighlight(body['highlight'], `${tp}/highlight`);
      if (body['sort'] !== undefined) checkSort(body['sort'], `${tp}/sort`);
    }
    for (const sub of ['aggs', 'aggregations']) {
      if (agg[sub] !== undefined) checkAggs(agg[sub], `${ap}/${sub}`);
    }
  }
}

function checkSort(sort: Json | undefined, path: string): void {
  const items = Array.isArray(sort) ? sort : [sort];
  items.forEach((item, i) => {
    const ip = Array.isArray(sort) ? `${path}/${i}` : path;
    if (typeof item === 'string') return;
    if (!isObj(item)) refuse(ip, 'a sort must be a field name or an object');
    noScripts(item, ip);
    for (const [field, spec] of Object.entries(item)) {
      if (isObj(spec) && spec['nested'] !== undefined && isObj(spec['nested']) && spec['nested']['filter'] !== undefined) {
        checkQuery(spec['nested']['filter'], `${ip}/${esc(field)}/nested/filter`);
      }
    }
  });
}

function checkFieldList(v: Json | undefined, path: string): void {
  noScripts(v, path);
}

function checkHighlight(h: Json | undefined, path: string): void {
  if (!isObj(h)) refuse(path, 'highlight must be an object');
  noScripts(h, path);
  if (h['highlight_query'] !== undefined) checkQuery(h['highlight_query'], `${path}/highlight_query`);
  const fields = h['fields'];
  const list = Array.isArray(fields) ? fields : isObj(fields) ? [fields] : [];
  list.forEach((f) => {
    if (!isObj(f)) return;
    for (const [name, spec] of Object.entries(f)) {
      if (isObj(spec) && spec['highlight_query'] !== undefined) {
        checkQuery(spec['highlight_query'], `${path}/fields/${esc(name)}/highlight_query`);
      }
    }
  });
}

function checkRescore(r: Json | undefined, path: string): void {
  const items = Array.isArray(r) ? r : [r];
  items.forEach((item, i) => {
    const ip = Array.isArray(r) ? `${path}/${i}` : path;
    if (!isObj(item)) refuse(ip, 'a rescore must be an object');
    for (const k of Object.keys(item)) {
      if (k === 'query') {
        const q = item['query'];
        if (!isObj(q)) refuse(`${ip}/query`, 'rescore query must be an object');
        for (const qk of Object.keys(q)) {
          if (qk === 'rescore_query') checkQuery(q[qk], `${ip}/query/rescore_query`);
          else if (!['query_weight', 'rescore_query_weight', 'score_mode'].includes(qk)) {
            refuse(`${ip}/query/${esc(qk)}`, `unknown rescore option "${qk}"`);
          }
        }
      } else if (k !== 'window_size') refuse(`${ip}/${esc(k)}`, `rescorer "${k}" is refused`);
    }
  });
}
