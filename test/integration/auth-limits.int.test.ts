import { startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

// Failed token lookups are limited per client address (here 127.0.0.1), on
// the moderation API and on the Elasticsearch-compatible search service.
let p: Pipeline;
let search: SearchProxy;
let searchToken: string;

beforeAll(async () => {
  p = await startPipeline('auth-limits', { authFailuresPerMinute: 5 });
  search = await startSearchProxy(p.ctx.config, { authFailuresPerMinute: 5 });
  searchToken = (await p.deps.tokens.create({ role: 'search', name: 'limits-search', createdBy: 'test' })).token;
});
afterAll(async () => {
  await search.stop();
  await p.stop();
});

const searchWith = (token: string) =>
  fetch(`${search.url}/${p.ctx.config.contentIndex}/_search`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"query":{"match_all":{}}}' });

describe('failed authentication is limited per client address', () => {
  it('search service: after the limit, unknown tokens get 429 in Elasticsearch shape with Retry-After; a token it knows keeps working', async () => {
    expect((await searchWith(searchToken)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await searchWith(`tdk_search_guess-${i}`)).status).toBe(401);
    const limited = await searchWith('tdk_search_guess-5');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ status: 429, error: { type: 'security_exception' } });
    // helmet's headers on the Elasticsearch-compatible service too; the body above is still Elasticsearch's shape.
    expect(limited.headers.get('x-content-type-options')).toBe('nosniff');
    expect(limited.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect((await searchWith(searchToken)).status).toBe(200);
    // Once its cache entry has expired (2 s), a known-good token is still looked up, not refused.
    await new Promise((r) => setTimeout(r, 2100));
    expect((await searchWith(searchToken)).status).toBe(200);
  });

  it('moderation API: after the limit the address gets 429 with Retry-After and a JSON error', async () => {
    expect((await p.call('GET', '/v1/me', p.tokens.moderator)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await p.call('GET', '/v1/me', `tdk_moderator_guess-${i}`)).status).toBe(401);
    const limited = await p.call('GET', '/v1/me', 'tdk_moderator_guess-5');
    expect([limited.status, limited.body.error.code]).toEqual([429, 'auth_rate_limited']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // A token this API has seen valid still works from the refused address (one bad client behind a shared address locks no one else out) …
    expect((await p.call('GET', '/v1/me', p.tokens.moderator)).status).toBe(200);
    // … and the job board's sign-in goes through the same limit.
    const board = await p.call('GET', '/admin/queues/', 'tdk_admin_guess-6');
    expect(board.status).toBe(429);
    // Requests without a token cost no lookup and still get their 401.
    expect((await p.call('GET', '/v1/me', undefined)).status).toBe(401);
  });
});
