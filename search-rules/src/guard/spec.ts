/**
 * The little language the guard's grammar is written in: what one part of a
 * search body may be. The walker (walk.ts) reads a body against it in one
 * pass. Every value has a JSON type and, where it matters, limits: Elasticsearch
 * coerces "0", 0.4 and "-0" to 0, so numbers must be JSON numbers and strings
 * must be strings, and nothing is coerced here.
 */
export type Spec =
  | { readonly t: 'bool' }
  | { readonly t: 'int'; readonly min: number; readonly max: number; readonly why?: string }
  | { readonly t: 'num'; readonly min?: number; readonly max?: number }
  | { readonly t: 'str'; readonly max: number; readonly oneOf?: readonly string[]; readonly re?: RegExp; readonly what?: string }
  /** A value compared with stored values (term, range bounds, missing): string, number or boolean. */
  | { readonly t: 'scalar' }
  /** JSON with no meaning to the guard and no queries inside (geo points, bucket keys, meta): depth and size still count. */
  | { readonly t: 'literal' }
  /** One query clause (queries.ts). */
  | { readonly t: 'query' }
  /** An aggregations object (aggregations.ts). */
  | { readonly t: 'aggs' }
  /** A sort (one or a list of sort clauses; top-level.ts). */
  | { readonly t: 'sort' }
  /** Highlighting options (top-level.ts). */
  | { readonly t: 'highlight' }
  /** An object with these options only. */
  | { readonly t: 'obj'; readonly keys: Keys; readonly required?: readonly string[] }
  /** Exactly one key that is a field name, mapped to `value`, plus the named options in `keys`. */
  | { readonly t: 'byField'; readonly value: Spec; readonly keys?: Keys }
  /** Any names (fields, buckets) mapped to `value`. */
  | { readonly t: 'map'; readonly value: Spec; readonly max: number }
  | { readonly t: 'arr'; readonly of: Spec; readonly max: number }
  /** One `of` or an array of them. */
  | { readonly t: 'list'; readonly of: Spec; readonly max: number }
  /** The first alternative whose JSON type fits the value (alternatives differ in JSON type). */
  | { readonly t: 'any'; readonly of: readonly Spec[] }
  /** Refused, and why. */
  | { readonly t: 'no'; readonly why: string };

export type Keys = Readonly<Record<string, Spec>>;

/** Longest string accepted in a scalar (search text, term values): a search box, not a document. */
export const MAX_SCALAR_CHARS = 4096;

export const bool: Spec = { t: 'bool' };
export const scalar: Spec = { t: 'scalar' };
export const literal: Spec = { t: 'literal' };
export const query: Spec = { t: 'query' };
export const aggs: Spec = { t: 'aggs' };
export const sort: Spec = { t: 'sort' };
export const highlight: Spec = { t: 'highlight' };
export const num: Spec = { t: 'num' };
export const int = (min = 0, max = 2 ** 31 - 1, why?: string): Spec => ({ t: 'int', min, max, ...(why ? { why } : {}) });
export const str = (max = 256): Spec => ({ t: 'str', max });
export const oneOf = (...values: string[]): Spec => ({ t: 'str', max: 64, oneOf: values });
export const matching = (re: RegExp, what: string, max = 64): Spec => ({ t: 'str', max, re, what });
export const obj = (keys: Keys, required?: readonly string[]): Spec => ({ t: 'obj', keys, ...(required ? { required } : {}) });
export const byField = (value: Spec, keys?: Keys): Spec => ({ t: 'byField', value, ...(keys ? { keys } : {}) });
export const map = (value: Spec, max = 1000): Spec => ({ t: 'map', value, max });
export const arr = (of: Spec, max = 1000): Spec => ({ t: 'arr', of, max });
export const list = (of: Spec, max = 1000): Spec => ({ t: 'list', of, max });
export const any = (...of: Spec[]): Spec => ({ t: 'any', of });
export const no = (why: string): Spec => ({ t: 'no', why });

/** A field name (wildcards and `^boost` allowed where Elasticsearch allows them). */
export const field = str(512);
export const fields = list(field, 256);
export const boost = num;
export const name = str(256);
/** Options every query accepts. */
export const common: Keys = { boost, _name: name };
export const fuzziness = any(int(0, 2), matching(/^(AUTO(:\d{1,3},\d{1,3})?|[0-2](\.0)?)$/i, 'AUTO, AUTO:low,high, 0, 1 or 2'));
export const minimumShouldMatch = any(int(-100_000, 100_000), matching(/^[-0-9%<> ]{1,64}$/, 'a count, a percentage or a combination'));
/**
 * Multi-term rewrites that expand every matching term. `top_terms_N` keeps
 * only some terms of the whole index (hidden documents' included), so which
 * ones it keeps tells whether a removed post holds a word: refused.
 */
export const rewrite = oneOf('constant_score', 'constant_score_blended', 'constant_score_boolean', 'scoring_boolean');
/**
 * How many index terms a prefix or fuzzy word may expand to. Expansion reads
 * the whole index, hidden documents included, before the filter applies: a
 * small cap keeps the first terms and so tells which exist. Only values
 * that keep (nearly) all of them are accepted; the default 50 is a residual
 * (see the search-rules README).
 */
export const maxExpansions = int(10_000, 10_000, 'a max_expansions below 10000 keeps only the first terms of the whole index, which tells whether hidden posts hold them');
export const operator = oneOf('or', 'and', 'OR', 'AND', 'Or', 'And');
export const timeZone = str(64);
export const format = str(128);
export const timeValue = matching(/^\d{1,12}(nanos|micros|ms|s|m|h|d)$/, 'a time value such as 500ms or 2s');
export const order = oneOf('asc', 'desc', 'ASC', 'DESC');

/** The JSON type a spec accepts (for `any`). */
export function acceptsType(spec: Spec, value: unknown): boolean {
  switch (spec.t) {
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
    case 'num':
      return typeof value === 'number';
    case 'str':
      return typeof value === 'string';
    case 'scalar':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    case 'arr':
      return Array.isArray(value);
    case 'list':
      return Array.isArray(value) || acceptsType(spec.of, value);
    case 'any':
      return spec.of.some((s) => acceptsType(s, value));
    case 'literal':
    case 'no':
      return true;
    case 'sort':
      return true;
    default:
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** What a spec accepts, in words, for error messages. */
export function describe(spec: Spec): string {
  switch (spec.t) {
    case 'bool':
      return 'true or false';
    case 'int':
      return `an integer from ${spec.min} to ${spec.max}`;
    case 'num':
      return 'a number';
    case 'str':
      return spec.oneOf ? `one of ${spec.oneOf.join(', ')}` : (spec.what ?? 'a string');
    case 'scalar':
      return 'a string, number or boolean';
    case 'arr':
      return 'an array';
    case 'list':
      return `${describe(spec.of)} or an array of them`;
    case 'any':
      return spec.of.map(describe).join(' or ');
    default:
      return 'an object';
  }
}
