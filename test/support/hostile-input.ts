import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';

/**
 * Hostile request parts for the fuzz tests of both services: deep nesting
 * (built as text, so nothing here recurses), huge strings, wrong types,
 * unicode, prototype keys, every Content-Type / Content-Encoding variant.
 */

/** `value` inside `depth` levels of objects (`{"k":…}`) or arrays, as JSON text. */
export function nested(depth: number, kind: 'object' | 'array', value = '1', key = 'a'): string {
  const open = kind === 'object' ? `{${JSON.stringify(key)}:` : '[';
  const close = kind === 'object' ? '}' : ']';
  return open.repeat(depth) + value + close.repeat(depth);
}

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'];

/** Keys: prototype keys, unicode, empty, long. */
export const hostileKey = fc.oneof(fc.constantFrom(...PROTO_KEYS, '', ' ', '\u0000', 'a'.repeat(300), 'ключ', '🔥', '\ud800'), fc.string({ unit: 'grapheme', maxLength: 12 }));

const jsonText = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null');
const edgeScalars = fc.constantFrom('null', 'true', '-0', '1e309', '-1e400', '0.0000000000000000001', '9007199254740993', '""', '"\\ud800"', '"\\u0000"', '[]', '{}');
const unicodeString = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => JSON.stringify(s));
const binaryString = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => JSON.stringify(s));
/** A string of 10 KB to 300 KB. */
export const hugeString = fc.integer({ min: 10_000, max: 300_000 }).map((n) => JSON.stringify('x'.repeat(n)));
const underHostileKey = fc.tuple(hostileKey, fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => `{${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}}`);

/** A JSON value as text, nested at most a few levels: scalars of every type, unicode, lone surrogates, huge strings, prototype keys. */
export const shallowValue: fc.Arbitrary<string> = fc.oneof(jsonText, edgeScalars, unicodeString, binaryString, hugeString, underHostileKey);

/** shallowValue without the huge strings: cheap enough to send by the hundred thousand. */
export const smallValue: fc.Arbitrary<string> = fc.oneof(jsonText, edgeScalars, unicodeString, binaryString, underHostileKey);

/** Objects or arrays nested up to 10,000 levels, under ordinary or prototype keys. */
export const deepValue: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom<'object' | 'array'>('object', 'array'), fc.constantFrom('a', '__proto__', 'bool', 'must'))
  .map(([d, k, key]) => nested(d, k, '1', key));

/** Any of the above. */
export const hostileValue: fc.Arbitrary<string> = fc.oneof(shallowValue, deepValue);

/** Keys the moderation API's bodies read (the fuzzers mix them with hostile keys). */
export const MODERATION_BODY_KEYS = ['content', 'reason', 'reporter', 'note', 'queue', 'leaseToken', 'action', 'countries', 'format', 'version', 'sweep', 'role', 'name', 'pattern', 'kind'];

/** Every part of a search body that can hold a structure. */
export const SEARCH_BODY_PARTS = ['query', 'post_filter', 'aggs', 'aggregations', '_source', 'highlight', 'sort', 'search_after', 'track_total_hits', 'rescore', 'collapse', 'fields', 'docvalue_fields', 'indices_boost', 'stats', 'ext', 'size', 'from', 'timeout', 'min_score', 'suggest', 'knn', '__proto__', 'constructor', 'no_such_key'];

/** Every UTF-8 byte percent-encoded (lone surrogates become U+FFFD, as on the wire). */
export const percent = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** A query string of up to four parameters, named from `names` or hostile keys, every byte percent-encoded. */
export function hostileQuery(names: readonly string[], value: fc.Arbitrary<string> = fc.string({ unit: 'grapheme', maxLength: 30 })): fc.Arbitrary<string> {
  return fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), hostileKey), value), { maxLength: 4 }).map((ps) => ps.map(([k, v]) => `${percent(k)}=${percent(v)}`).join('&'));
}

/** A JSON object as text, up to `maxKeys` keys from `keys` or hostile ones, each holding a value of `value` (JSON text). */
export function hostileObject(keys: readonly string[], value: fc.Arbitrary<string>, maxKeys = 4): fc.Arbitrary<string> {
  return fc
    .dictionary(fc.oneof(fc.constantFrom(...keys), hostileKey), value, { maxKeys })
    .map((d) => `{${Object.entries(d).map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);
}

/** Content-Type header values, from right to nonsense. */
export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json; charset=klingon',
  'application/json; charset=',
  'application/json; charset="utf-8"',
  'application/json;;;',
  'application/vnd.elasticsearch+json; compatible-with=8',
  'application/x-ndjson',
  'text/plain',
  'text/plain; charset=utf-7',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '*/*',
  'nonsense',
  '',
];

/** Content-Encoding header values; `encode` says how the body really is encoded. */
export const ENCODINGS: { header: string | undefined; encode: (b: Buffer) => Buffer }[] = [
  { header: undefined, encode: (b) => b },
  { header: 'identity', encode: (b) => b },
  { header: 'gzip', encode: (b) => gzipSync(b) },
  { header: 'gzip', encode: (b) => b }, // claims gzip, is plain
  { header: 'deflate', encode: (b) => deflateSync(b) },
  { header: 'deflate', encode: (b) => b },
  { header: 'br', encode: (b) => brotliCompressSync(b) },
  { header: 'br', encode: (b) => gzipSync(b) },
  { header: 'GZIP', encode: (b) => gzipSync(b) },
  { header: 'gzip', encode: (b) => gzipSync(b).subarray(0, 12) }, // truncated
  { header: 'zstd', encode: (b) => b },
  { header: 'compress', encode: (b) => b },
  { header: 'gzip, gzip', encode: (b) => gzipSync(gzipSync(b)) },
  { header: 'x-nonsense', encode: (b) => b },
];

/** Headers for a body: a Content-Type and a Content-Encoding variant, and the bytes to send. */
export const hostileEncoding = fc.record({
  contentType: fc.constantFrom(...CONTENT_TYPES),
  encoding: fc.constantFrom(...ENCODINGS),
});

export function encodedRequest(body: string, e: { contentType: string; encoding: (typeof ENCODINGS)[number] }): { headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = {};
  if (e.contentType !== '') headers['content-type'] = e.contentType;
  if (e.encoding.header !== undefined) headers['content-encoding'] = e.encoding.header;
  return { headers, body: e.encoding.encode(Buffer.from(body, 'utf8')) };
}

/** A fixed seed and a bounded number of runs: the same cases every time, well inside 30 s. */
export const FUZZ = { seed: 20_261_112, numRuns: 120, endOnFailure: true } as const;
