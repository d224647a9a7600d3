import net from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ensureContentIndex, RulesetStore, rulesetKeys, type ContentDocument } from '@takedown/shared';
import { PIPELINE_RULES } from '../support/pipeline';
import { rawRequest, type RawAnswer } from '../support/raw-http';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';
import { createTestContext, type TestContext } from '../support/test-context';
import { FUZZ, SEARCH_BODY_PARTS, percent, encodedRequest, hostileEncoding, hostileKey, hostileObject, hostileValue, nested, shallowValue } from '../support/hostile-input';

/**
 * Hostile requests against the running search service: whatever arrives,
 * the answer is never a 5xx, and every 4xx is in Elasticsearch's shape and
 * names what is at fault in `error.takedown.field` (a JSON pointer into the
 * body, a query parameter, a header name, `index`, `path`), with
 * `error.takedown.line` for an msearch line.
 */

let ctx: TestContext;
let proxy: SearchProxy;
let token: string;
let index: string;

beforeAll(async () => {
  ctx = await createTestContext('fuzz-search');
  index = ctx.config.contentIndex;
  await ensureContentIndex(ctx.es, index, ctx.config.elasticsearch.replicas);
  const docs: ContentDocument[] = [
    { id: 'fz-clean', type: 'post', text: 'market bread on saturday', authorId: 'a1', createdAt: '2026-11-01T00:00:00Z' },
    { id: 'fz-removed', type: 'post', text: 'market bread removed', authorId: 'a2', createdAt: '2026-11-01T00:00:00Z', moderation: { state: 'removed', decisionId: 'd_x' } },
  ];
  await ctx.es.bulk({ refresh: true, operations: docs.flatMap((d) => [{ index: { _index: index, _id: d.id } }, d]) });
  await new RulesetStore(ctx.redis, rulesetKeys(ctx.config.queuePrefix)).publish(PIPELINE_RULES, 'lead:test');
  proxy = await startSearchProxy(ctx.config);
  token = (await proxy.deps.principals.tokens.create({ role: 'search', name: 'fuzz', createdBy: 'test' })).token;
}, 60_000);
afterAll(async () => {
  await proxy.stop();
  await ctx.cleanup();
});

const send = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(proxy.url, method, path, { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body);

/** Why an answer breaks the contract, or undefined when it keeps it. */
function broken(r: RawAnswer): string | undefined {
  if (r.status >= 500) return `status ${r.status}`;
  if (r.status < 400) return undefined;
  const e = r.json?.error;
  if (typeof e?.type !== 'string' || typeof e?.reason !== 'string') return 'no Elasticsearch error shape';
  if (r.headers['x-elastic-product'] !== 'Elasticsearch') return 'no X-Elastic-Product';
  if (typeof e.takedown?.field !== 'string') return 'no error.takedown.field';
  if (r.json.status !== r.status) return 'status field differs';
  return undefined;
}

function expectKept(r: RawAnswer, what: string): void {
  const why = broken(r);
  if (why) throw new Error(`${what}: ${why}: ${r.status} ${r.text.slice(0, 300)}`);
  expect(r.text).not.toContain('fz-removed');
}

describe('search service fuzz: deep nesting in each body part (the guard walks these)', () => {
  it.each(SEARCH_BODY_PARTS)('/%s nested 10,000 deep is a 4xx naming where', async (part) => {
    for (const kind of ['object', 'array'] as const) {
      const r = await send('POST', `/${index}/_search`, `{${JSON.stringify(part)}:${nested(10_000, kind, '1', 'bool')}}`);
      expectKept(r, `${part} (${kind})`);
      expect(r.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('a query nested 10,000 deep inside bool clauses is a 4xx', async () => {
    const deep = '{"bool":{"must":['.repeat(10_000) + '{"match_all":{}}' + ']}}'.repeat(10_000);
    expectKept(await send('POST', `/${index}/_search`, `{"query":${deep}}`), 'bool×10000');
    expectKept(await send('POST', `/${index}/_msearch`, `{}\n{"query":${deep}}\n`, { 'content-type': 'application/x-ndjson' }), 'msearch bool×10000');
  });
});

describe('search service fuzz: msearch headers', () => {
  const nd = (header: string, body = '{"query":{"match_all":{}}}') => `{"index":"${index}"}\n{}\n${header}\n${body}\n`;

  it.each([
    ['index nested 10,000 deep', `{"index":${nested(10_000, 'object')}}`, '/index'],
    ['index as an array 10,000 deep', `{"index":${nested(10_000, 'array', JSON.stringify('x'))}}`, '/index'],
    ['index as a number', '{"index":7}', '/index'],
    ['request_cache as a string', `{"index":"IDX","request_cache":"true"}`, '/request_cache'],
    ['allow_partial_search_results as an object', `{"index":"IDX","allow_partial_search_results":{"a":1}}`, '/allow_partial_search_results'],
    ['search_type dfs', `{"index":"IDX","search_type":"dfs_query_then_fetch"}`, '/search_type'],
    ['search_type nested', `{"index":"IDX","search_type":${nested(5_000, 'array', '"query_then_fetch"')}}`, '/search_type'],
    ['a __proto__ key', `{"index":"IDX","__proto__":{"index":"x"}}`, '/__proto__'],
    ['a constructor key', `{"index":"IDX","constructor":1}`, '/constructor'],
    ['a header that is an array', '[1,2]', ''],
    ['a header that is a string', '"x"', ''],
    ['a header that is not JSON', '{"index":', ''],
  ])('refuses %s on line 3 with a 400 naming the key', async (_what, header, field) => {
    const r = await send('POST', '/_msearch', nd(header.replace('IDX', index)), { 'content-type': 'application/x-ndjson' });
    expectKept(r, header.slice(0, 80));
    expect(r.status).toBe(400);
    expect(r.json.error.takedown).toMatchObject({ line: 3, field });
  });

  it('names the line of a bad body', async () => {
    const r = await send('POST', '/_msearch', `{"index":"${index}"}\n\n{"query":\n`, { 'content-type': 'application/x-ndjson' });
    expect([r.status, r.json.error.takedown.line]).toEqual([400, 3]);
  });

  it('accepts the right scalar types, and answers every line', async () => {
    const r = await send('POST', '/_msearch', `{"index":"${index}","request_cache":false,"allow_partial_search_results":true,"search_type":"query_then_fetch"}\n{"query":{"match":{"text":"bread"}}}\n`, { 'content-type': 'application/x-ndjson' });
    expect(r.status).toBe(200);
    expect(r.json.responses[0].hits.hits.map((h: { _id: string }) => h._id)).toEqual(['fz-clean']);
  });

  it("retells Elasticsearch's per-line errors in our words: type and reason only", async () => {
    // Sorting on a text field: the guard lets it by, Elasticsearch refuses it with a message that names the field.
    const r = await send('POST', '/_msearch', `{"index":"${index}"}\n{"sort":[{"text":"asc"}],"query":{"match_all":{}}}\n{"index":"${index}"}\n{"query":{"match_all":{}}}\n`, { 'content-type': 'application/x-ndjson' });
    expect(r.status).toBe(200);
    const [bad, good] = r.json.responses;
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.error).sort()).toEqual(['reason', 'type']);
    expect(bad.error.reason).toBe('a text field cannot be sorted or aggregated on; use a keyword field');
    expect(JSON.stringify(bad)).not.toMatch(/fielddata|\[text\]/i);
    expect(good.hits.hits.map((h: { _id: string }) => h._id)).toEqual(['fz-clean']);
  });

  it('fuzzed header lines: never a 5xx, every 4xx names line and field', async () => {
    const headerLine = fc.oneof(
      hostileObject(['index', 'search_type', 'request_cache', 'allow_partial_search_results'], hostileValue.filter((v) => v.length < 200_000)),
      hostileValue,
    );
    await fc.assert(
      fc.asyncProperty(headerLine, fc.constantFrom('{}', '{"query":{"match_all":{}}}', '[]', '1'), async (header, body) => {
        const r = await send('POST', '/_msearch', `${header.replace(/\n/g, ' ')}\n${body}\n`, { 'content-type': 'application/x-ndjson' });
        expectKept(r, header.slice(0, 120));
        if (r.status === 400 && r.json.error.takedown.code !== 'bad_msearch') expect(typeof r.json.error.takedown.line === 'number' || r.json.error.takedown.field !== undefined).toBe(true);
      }),
      { ...FUZZ, numRuns: 150 },
    );
  });
});

describe('search service fuzz: URL parameters and context headers', () => {
  it('refuses search_type=dfs_query_then_fetch on search and msearch, naming the parameter', async () => {
    for (const path of [`/${index}/_search?search_type=dfs_query_then_fetch`, `/_msearch?search_type=dfs_query_then_fetch`]) {
      const r = await send('POST', path, path.includes('msearch') ? `{"index":"${index}"}\n{}\n` : '{}');
      expect([r.status, r.json.error.takedown.field]).toEqual([400, 'search_type']);
    }
  });

  it('refuses a country that is not an assigned ISO 3166-1 code', async () => {
    for (const c of ['ZZ', 'XK', 'EU', 'zz']) {
      const r = await send('POST', `/${index}/_search`, '{}', { 'x-takedown-country': c });
      expect([c, r.status, r.json.error.takedown.field]).toEqual([c, 400, 'x-takedown-country']);
    }
    expect((await send('POST', `/${index}/_search`, '{}', { 'x-takedown-country': 'de' })).status).toBe(200);
  });

  it("turns Elasticsearch's own 4xx into 400s in our words", async () => {
    // The guard refuses a window this deep itself; either way a 400 on /from, never Elasticsearch's text.
    const window = await send('POST', `/${index}/_search`, JSON.stringify({ from: 9999, size: 100 }));
    expect([window.status, window.json.error.takedown.field]).toEqual([400, '/from']);
    expect(window.text).not.toContain('max_result_window');
    const sortText = await send('POST', `/${index}/_search`, JSON.stringify({ sort: [{ text: 'asc' }] }));
    expectKept(sortText, 'sort on a text field');
    expect([sortText.status, sortText.json.error.takedown.code]).toEqual([400, 'field_not_sortable']);
    expect(sortText.text).not.toMatch(/fielddata|\[text\]/i);
    const sortUnknown = await send('POST', `/${index}/_search`, JSON.stringify({ sort: [{ no_such_field: 'asc' }] }));
    expect([sortUnknown.status, sortUnknown.json.error.takedown]).toEqual([400, { code: 'unknown_sort_field', field: '/sort' }]);
    expect(sortUnknown.text).not.toContain('no_such_field');
  });

  it('fuzzed query strings: never a 5xx', async () => {
    const param = fc.tuple(fc.oneof(fc.constantFrom('search_type', 'allow_partial_search_results', 'request_cache', 'track_total_hits', 'timeout', 'filter_path', 'typed_keys', 'size', 'q'), hostileKey), fc.string({ unit: 'grapheme', maxLength: 30 }));
    await fc.assert(
      fc.asyncProperty(fc.array(param, { maxLength: 4 }), fc.constantFrom('_search', '_count', '_msearch'), async (params, endpoint) => {
        const qs = params.map(([k, v]) => `${percent(k)}=${percent(v)}`).join('&');
        const path = endpoint === '_msearch' ? `/_msearch?${qs}` : `/${index}/${endpoint}?${qs}`;
        expectKept(await send('POST', path, endpoint === '_msearch' ? `{"index":"${index}"}\n{}\n` : '{}'), path);
      }),
      { ...FUZZ, numRuns: 100 },
    );
  });
});

describe('search service fuzz: bodies as bytes', () => {
  it('every Content-Type and Content-Encoding: never a 5xx, every 4xx names the header or the body', async () => {
    await fc.assert(
      fc.asyncProperty(hostileEncoding, fc.constantFrom('_search', '_count', '_msearch'), async (e, endpoint) => {
        const text = endpoint === '_msearch' ? `{"index":"${index}"}\n{"query":{"match_all":{}}}\n` : '{"query":{"match":{"text":"bread"}}}';
        const req = encodedRequest(text, e);
        const r = await send('POST', endpoint === '_msearch' ? '/_msearch' : `/${index}/${endpoint}`, req.body, { 'content-type': e.contentType, ...req.headers });
        expectKept(r, `${endpoint} ${JSON.stringify(e.contentType)} ${e.encoding.header}`);
        if (r.status >= 400) expect(['content-type', 'content-encoding', 'content-length', '', '/query', 'body']).toContain(r.json.error.takedown.field);
      }),
      { ...FUZZ, numRuns: 120 },
    );
  });

  it.each([
    ['a charset nobody knows', { 'content-type': 'application/json; charset=klingon' }, '{}', 415, 'content-type'],
    ['an unknown Content-Encoding', { 'content-encoding': 'x-nonsense' }, '{}', 415, 'content-encoding'],
    ['gzip on a plain body', { 'content-encoding': 'gzip' }, '{}', 400, 'content-encoding'],
    ['malformed JSON', {}, '{"query":', 400, ''],
  ])('%s is a %s... naming the field', async (_what, headers, body, status, field) => {
    const r = await send('POST', `/${index}/_search`, body, headers as Record<string, string>);
    expect([r.status, r.json.error.takedown.field]).toEqual([status, field]);
  });

  it('reads a body alike on the plain path and through body-parser: a byte-order mark, charset=UTF-8, gzip', async () => {
    const text = '{"query":{"match":{"text":"bread"}},"size":0}';
    const answers = await Promise.all([
      send('POST', `/${index}/_search`, text),
      send('POST', `/${index}/_search`, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])),
      send('POST', `/${index}/_search`, text, { 'content-type': 'application/json; charset=UTF-8' }),
      send('POST', `/${index}/_search`, gzipSync(text), { 'content-encoding': 'gzip' }),
    ]);
    expect(answers.map((r) => [r.status, r.json?.hits?.total?.value])).toEqual(Array(4).fill([200, answers[0]!.json.hits.total.value]));
  });

  it('limits bodies per route, after authentication', async () => {
    const big = (bytes: number) => JSON.stringify({ query: { ids: { values: ['x'.repeat(bytes)] } } });
    const search = await send('POST', `/${index}/_search`, big(2.1 * 1024 * 1024));
    expect([search.status, search.json.error.type, search.json.error.takedown.code]).toEqual([413, 'content_too_long_exception', 'payload_too_large']);
    const line = big(1.5 * 1024 * 1024);
    const okMsearch = await send('POST', '/_msearch', `{"index":"${index}"}\n${line}\n{"index":"${index}"}\n${line}\n`, { 'content-type': 'application/x-ndjson' });
    expect(okMsearch.status).not.toBe(413);
    expectKept(okMsearch, 'msearch of 3 MB');
    const hugeMsearch = await send('POST', '/_msearch', `{"index":"${index}"}\n${big(8.5 * 1024 * 1024)}\n`, { 'content-type': 'application/x-ndjson' });
    expect(hugeMsearch.status).toBe(413);
    // Anonymous: refused before the body is read.
    const anon = await rawRequest(proxy.url, 'POST', `/${index}/_search`, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, big(3 * 1024 * 1024));
    expect(anon.status).toBe(401);
  });

  const bodyOf = (value: fc.Arbitrary<string>) => hostileObject(SEARCH_BODY_PARTS, value, 3);

  it('fuzzed JSON bodies, nested a few levels: never a 5xx, every 4xx names a field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(bodyOf(shallowValue), shallowValue), fc.constantFrom('_search', '_count'), async (b, endpoint) => {
        expectKept(await send('POST', `/${index}/${endpoint}`, b), `${endpoint} ${b.slice(0, 200)}`);
      }),
      { ...FUZZ, numRuns: 150 },
    );
  });

  it('fuzzed JSON bodies, nested up to 10,000 levels (the guard walks these): never a 5xx, every 4xx names a field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(bodyOf(hostileValue), hostileValue), fc.constantFrom('_search', '_count', '_msearch'), async (b, endpoint) => {
        const r = endpoint === '_msearch' ? await send('POST', '/_msearch', `{"index":"${index}"}\n${b}\n`, { 'content-type': 'application/x-ndjson' }) : await send('POST', `/${index}/${endpoint}`, b);
        expectKept(r, `${endpoint} ${b.slice(0, 200)}`);
      }),
      { ...FUZZ, numRuns: 150 },
    );
  });
});

describe('search service fuzz: framing on a keep-alive connection (the plain body reader trusts Content-Length)', () => {
  /** Writes `bytes` on one connection and gathers what comes back until the server closes it (the last request says Connection: close) or 5 s pass. */
  const onOneConnection = (bytes: string): Promise<string> =>
    new Promise((resolve) => {
      const u = new URL(proxy.url);
      const s = net.connect(Number(u.port), u.hostname);
      const chunks: Buffer[] = [];
      const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
      const timer = setTimeout(() => s.destroy(), 5000);
      s.on('data', (c: Buffer) => chunks.push(c)).on('error', () => undefined).on('close', () => {
        clearTimeout(timer);
        done();
      });
      // Not ended: a half-closed connection is closed by the server with its requests in flight.
      s.write(bytes);
    });
  const head = (path: string, extra: string) => `POST ${path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${token}\r\n${extra}`;
  const statuses = (text: string) => (text.match(/HTTP\/1\.1 \d+/g) ?? []).map((l) => Number(l.slice(9)));
  const all = '{"query":{"match_all":{}}}';

  it('a Content-Length shorter than the body: the rest is a request of its own, without the token (401), never read as this search', async () => {
    const smuggled = `POST /${index}/_search HTTP/1.1\r\nHost: t\r\nContent-Length: ${all.length}\r\nConnection: close\r\n\r\n${all}`;
    const body = `{"query":{"match":{"text":"bread"}}}`;
    const text = await onOneConnection(`${head(`/${index}/_search`, `Content-Length: ${body.length}\r\n\r\n`)}${body}${smuggled}`);
    expect(statuses(text)).toEqual([200, 401]);
    expect(text).not.toContain('fz-removed');
  });

  it.each([
    ['two Content-Lengths', `Content-Length: 5\r\nContent-Length: ${all.length}\r\n\r\n${all}`],
    ['Transfer-Encoding beside Content-Length', `Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${all.length.toString(16)}\r\n${all}\r\n0\r\n\r\n`],
    ['a signed Content-Length', `Content-Length: +${all.length}\r\n\r\n${all}`],
  ])('%s: 400 from the HTTP parser, nothing searched', async (_what, rest) => {
    const text = await onOneConnection(head(`/${index}/_search`, rest));
    expect(statuses(text)).toEqual([400]);
    expect(text).not.toContain('fz-');
  });

  it('pipelined searches on the fast path and through express (a blocked one) are answered in order', async () => {
    const blocked = '{"query":{"match":{"text":"cocaine"}}}';
    const text = await onOneConnection(
      `${head(`/${index}/_search`, `Content-Length: ${blocked.length}\r\n\r\n`)}${blocked}${head(`/${index}/_count`, `Content-Length: ${all.length}\r\n\r\n`)}${all}${head(`/${index}/_search`, `Content-Length: ${all.length}\r\nConnection: close\r\n\r\n`)}${all}`,
    );
    expect(statuses(text)).toEqual([200, 200, 200]);
    const blockedAt = text.indexOf('"blocked":true');
    expect([blockedAt >= 0, blockedAt < text.indexOf('"count":1')]).toEqual([true, true]);
    expect(text).not.toContain('fz-removed');
  });

  it('a body of exactly the limit is read on the plain path; one byte more is a 413', async () => {
    const at = all.padEnd(2 * 1024 * 1024, ' '); // SEARCH_BODY_LIMIT
    const ok = await send('POST', `/${index}/_search`, at);
    expect([ok.status, ok.json?.hits?.total?.value]).toEqual([200, 1]);
    const over = await send('POST', `/${index}/_search`, `${at} `);
    expect([over.status, over.json.error.takedown.code]).toEqual([413, 'payload_too_large']);
  });

  it('charset="utf-8" (quoted), utf8 and UTF-16 with its charset read alike; UTF-16 without one is malformed JSON', async () => {
    const utf16 = Buffer.from(`\ufeff${all}`, 'utf16le');
    const answers = await Promise.all([
      send('POST', `/${index}/_search`, all, { 'content-type': 'application/json; charset="utf-8"' }),
      send('POST', `/${index}/_search`, all, { 'content-type': 'application/json; charset=utf8' }),
      send('POST', `/${index}/_search`, utf16, { 'content-type': 'application/json; charset=utf-16' }),
    ]);
    expect(answers.map((r) => [r.status, r.json?.hits?.total?.value])).toEqual(Array(3).fill([200, 1]));
    const bare = await send('POST', `/${index}/_search`, utf16);
    expect([bare.status, bare.json.error.takedown.code]).toEqual([400, 'bad_json']);
  });
});
