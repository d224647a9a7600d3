/**
 * What a search looks for, as the guard reads it out of the body: every
 * piece of caller text from every query-bearing part, with the way
 * Elasticsearch will match it. The block check (block-check.ts) decides
 * whether any of them can find what a `block_query` rule refuses.
 */
export type Fuzz = 0 | 1 | 2 | 'auto';

export type SearchText =
  /** Analysed text (match and friends); `prefixLast`: the last word is a prefix; `slop`: a phrase whose words may move. */
  | { kind: 'text'; text: string; fuzziness?: Fuzz; prefixLast?: boolean; slop?: number }
  /** A term compared as stored (term, terms). */
  | { kind: 'term'; text: string }
  | { kind: 'prefix'; text: string }
  /** Lucene wildcard syntax: `*` any run, `?` one character, `\` escapes. */
  | { kind: 'wildcard'; text: string }
  /** Lucene regular expression syntax. */
  | { kind: 'regexp'; text: string }
  | { kind: 'fuzzy'; text: string; fuzziness: Fuzz }
  /** Lucene query syntax (query_string). */
  /** `prefixWords`: its type (phrase_prefix, bool_prefix) makes words prefixes. */
  | { kind: 'query_string'; text: string; fuzziness: Fuzz; prefixWords?: boolean }
  | { kind: 'simple_query_string'; text: string }
  /** A term range with both ends given as strings. */
  | { kind: 'range'; from: string; to: string }
  /** One end of a term range on a field: ends on one field anywhere in a body are read together, since clauses can AND them. */
  | { kind: 'bound'; field: string; side: 'from' | 'to'; value: string };

/** Elasticsearch's fuzziness value, read the way it reads it (AUTO and AUTO:low,high are both "auto"). */
export function parseFuzz(v: unknown, otherwise: Fuzz = 0): Fuzz {
  if (v === undefined) return otherwise;
  if (typeof v === 'number') return v >= 2 ? 2 : v >= 1 ? 1 : 0;
  if (typeof v === 'string') {
    // AUTO:low,high moves the thresholds; read it as the widest distance.
    if (/^auto:/i.test(v)) return 2;
    if (/^auto/i.test(v)) return 'auto';
    const n = Number(v);
    if (Number.isFinite(n)) return n >= 2 ? 2 : n >= 1 ? 1 : 0;
  }
  return otherwise;
}

/** The text a search carries, for the query log and rule previews. */
export function textOf(t: SearchText): string {
  return t.kind === 'range' ? `${t.from} ${t.to}` : t.kind === 'bound' ? t.value : t.text;
}
