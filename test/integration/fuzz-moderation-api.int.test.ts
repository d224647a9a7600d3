import fc from 'fast-check';
import { caseIdFor } from '@takedown/shared';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { rawRequest, type RawAnswer } from '../support/raw-http';
import { FUZZ, MODERATION_BODY_KEYS, percent, encodedRequest, hostileEncoding, hostileKey, hostileObject, hostileValue, shallowValue } from '../support/hostile-input';

/**
 * Hostile requests against the running moderation API: never a 5xx; every
 * 4xx is `{ error: { code, message } }`, and every 400, 413 and 415 names
 * `error.field`: a JSON pointer into the body or query string ('' for the
 * body as a whole), or the header at fault (content-type, content-encoding).
 */

let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('fuzz-api', { startTriage: false });
}, 60_000);
afterAll(async () => {
  await p.stop();
});

type Who = keyof Pipeline['tokens'];
const send = (method: string, path: string, who: Who | undefined, body?: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(p.url, method, path, { ...(who ? { authorization: `Bearer ${p.tokens[who]}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body);

function broken(r: RawAnswer): string | undefined {
  if (r.status >= 500) return `status ${r.status}`;
  if (r.status < 400) return undefined;
  const e = r.json?.error;
  if (typeof e?.code !== 'string' || !/^[a-z_]{1,60}$/.test(e.code) || typeof e?.message !== 'string') return 'no { error: { code, message } }';
  if ([400, 413, 415].includes(r.status) && typeof e.field !== 'string') return 'no error.field';
  return undefined;
}

function expectKept(r: RawAnswer, what: string): void {
  const why = broken(r);
  if (why) throw new Error(`${what}: ${why}: ${r.status} ${r.text.slice(0, 300)}`);
}

/** Endpoints that take a body, with a role that may call them. */
const BODY_ENDPOINTS: [string, string, Who][] = [
  ['POST', '/v1/reports', 'reporter'],
  ['POST', '/v1/appeals', 'reporter'],
  ['POST', '/v1/review/claim', 'moderator'],
  ['POST', `/v1/review/${caseIdFor('fuzz-none')}/decision`, 'moderator'],
  ['POST', `/v1/review/${caseIdFor('fuzz-none')}/heartbeat`, 'moderator'],
  ['PUT', '/v1/rules/draft/fuzz-rule', 'lead'],
  ['POST', '/v1/rules/draft/import', 'lead'],
  ['POST', '/v1/rules/rollback', 'lead'],
  ['POST', '/v1/rules/backfill', 'lead'],
  ['POST', '/v1/tokens', 'admin'],
  ['PUT', '/v1/features/draft/fuzz_feature', 'legal'],
  ['POST', '/v1/features/publish', 'lead'],
  ['POST', '/v1/features/rollback', 'admin'],
  ['POST', '/v1/uploads/check', 'service'],
];

describe('moderation API fuzz: unreadable bodies', () => {
  it.each([
    ['a charset nobody knows', { 'content-type': 'application/json; charset=klingon' }, '{}', 415, 'unsupported_charset', 'content-type'],
    ['a charset JSON may not use', { 'content-type': 'application/json; charset=latin1' }, '{}', 415, 'unsupported_charset', 'content-type'],
    ['an unknown Content-Encoding', { 'content-encoding': 'x-nonsense' }, '{}', 415, 'unsupported_content_encoding', 'content-encoding'],
    ['gzip on a plain body', { 'content-encoding': 'gzip' }, '{}', 400, 'bad_content_encoding', 'content-encoding'],
    ['malformed JSON', {}, '{"content":', 400, 'invalid_json', ''],
    ['a body that is not JSON', { 'content-type': 'text/plain' }, 'hello', 415, 'unsupported_media_type', 'content-type'],
    ['a body without a Content-Type', { 'content-type': '' }, '{}', 415, 'unsupported_media_type', 'content-type'],
  ])('%s is a %s naming the field', async (_what, headers, body, status, code, field) => {
    const h = { ...headers } as Record<string, string>;
    if (h['content-type'] === '') delete h['content-type'];
    const r = await rawRequest(p.url, 'POST', '/v1/reports', { authorization: `Bearer ${p.tokens.reporter}`, ...(h['content-type'] === undefined && !('content-type' in headers) ? { 'content-type': 'application/json' } : {}), ...h }, body);
    expect([r.status, r.json?.error?.code, r.json?.error?.field]).toEqual([status, code, field]);
  });

  it('reads bodies only after authentication, with per-endpoint limits', async () => {
    const big = (bytes: number) => JSON.stringify({ format: 'json', content: 'x'.repeat(bytes) });
    // Anonymous, or a role that may not import: refused before a byte is read (a gzip body that is not gzip would be a 400).
    expect((await send('POST', '/v1/rules/draft/import', undefined, big(2 << 20), { 'content-encoding': 'gzip' })).status).toBe(401);
    expect((await send('POST', '/v1/rules/draft/import', 'reporter', big(2 << 20), { 'content-encoding': 'gzip' })).status).toBe(403);
    // 1 MB everywhere but the import.
    const report = await send('POST', '/v1/reports', 'reporter', JSON.stringify(reportBody('fuzz-big', { note: 'x'.repeat(1.1 * 2 ** 20) })));
    expect([report.status, report.json.error.code, report.json.error.field]).toEqual([413, 'payload_too_large', '']);
    // The import reads 25 MB for a lead (the content then fails its own checks), and no more.
    const import2mb = await send('POST', '/v1/rules/draft/import', 'lead', big(2 << 20));
    expect(import2mb.status).toBe(400);
    expect(import2mb.json.error.code).not.toBe('payload_too_large');
    const import26mb = await send('POST', '/v1/rules/draft/import', 'lead', big(26 << 20));
    expect([import26mb.status, import26mb.json.error.code]).toEqual([413, 'payload_too_large']);
  });

  it('every Content-Type and Content-Encoding on every body endpoint: never a 5xx, every 4xx names its field', async () => {
    await fc.assert(
      fc.asyncProperty(hostileEncoding, fc.constantFrom(...BODY_ENDPOINTS), async (e, [method, path, who]) => {
        const req = encodedRequest(JSON.stringify(reportBody('fuzz-enc')), e);
        const headers = { ...req.headers };
        const r = await rawRequest(p.url, method, path, { authorization: `Bearer ${p.tokens[who]}`, ...headers }, req.body);
        expectKept(r, `${method} ${path} ${JSON.stringify(e.contentType)} ${e.encoding.header}`);
      }),
      { ...FUZZ, numRuns: 120 },
    );
  });
});

describe('moderation API fuzz: JSON bodies', () => {
  const objectOf = (value: fc.Arbitrary<string>) => hostileObject(MODERATION_BODY_KEYS, value);

  it.each(BODY_ENDPOINTS)('%s %s: deep nesting, huge strings, wrong types, unicode, prototype keys never give a 5xx', async (method, path, who) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(objectOf(hostileValue), hostileValue), async (body) => {
        expectKept(await send(method, path, who, body), `${method} ${path} ${body.slice(0, 200)}`);
      }),
      { ...FUZZ, numRuns: 25 },
    );
  });

  it('a report with one field of a hostile value: never a 5xx, the 4xx names its field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('content', 'reason', 'reporter', 'note', 'reportId'), shallowValue, async (key, value) => {
        const body = JSON.stringify(reportBody('fuzz-typed')).replace(/^\{/, `{${JSON.stringify(key)}:${value},`);
        const r = await send('POST', '/v1/reports', 'reporter', body);
        expectKept(r, body.slice(0, 200));
      }),
      { ...FUZZ, numRuns: 60 },
    );
  });
});

describe('moderation API fuzz: query strings', () => {
  it('GET /v1/cases?from=9999&size=100 is a 400 naming /from, not a 500', async () => {
    const r = await send('GET', '/v1/cases?from=9999&size=100', 'lead');
    expect([r.status, r.json.error.code, r.json.error.field]).toEqual([400, 'result_window_too_large', '/from']);
    expect((await send('GET', '/v1/cases?from=9900&size=100', 'lead')).status).toBe(200);
  });

  it('fuzzed list parameters: never a 5xx, every 400 names its field', async () => {
    const value = fc.oneof(fc.integer({ min: -5, max: 20_000 }).map(String), fc.constantFrom('', '1e3', '0x10', '00', '9999', '10000', 'open', 'priority', 'age', 'default', 'csam', 'NaN'), fc.string({ unit: 'grapheme', maxLength: 20 }));
    const param = fc.tuple(fc.oneof(fc.constantFrom('from', 'size', 'queue', 'status', 'category', 'sort', 'authorId', 'ruleId', 'format', 'q', 'after', 'state', 'kind', 'list'), hostileKey), value);
    await fc.assert(
      fc.asyncProperty(fc.array(param, { maxLength: 4 }), fc.constantFrom('/v1/cases', '/v1/rules/draft/export', '/v1/rules/draft-page'), async (params, path) => {
        const qs = params.map(([k, v]) => `${percent(k)}=${percent(v)}`).join('&');
        expectKept(await send('GET', `${path}?${qs}`, 'lead'), `${path}?${qs}`);
      }),
      { ...FUZZ, numRuns: 150 },
    );
  });

  it('fuzzed feature evaluation parameters: never a 5xx, every 400 names its field', async () => {
    const percent = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    const value = fc.oneof(fc.constantFrom('DE', 'de', 'XX', 'UK', 'ios', 'web', 'palm', '', '-1', '12', '1e3', 'good', 'people_nearby', 'NaN'), fc.string({ unit: 'grapheme', maxLength: 20 }));
    const param = fc.tuple(fc.oneof(fc.constantFrom('country', 'platform', 'accountAgeDays', 'standing', 'feature'), hostileKey), value);
    await fc.assert(
      fc.asyncProperty(fc.array(param, { maxLength: 5 }), async (params) => {
        const qs = params.map(([k, v]) => `${percent(k)}=${percent(v)}`).join('&');
        expectKept(await send('GET', `/v1/features/evaluate?${qs}`, 'service'), `/v1/features/evaluate?${qs}`);
      }),
      { ...FUZZ, numRuns: 150 },
    );
  });
});
