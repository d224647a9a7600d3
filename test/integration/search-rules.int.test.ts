import { ensureContentIndex, type ContentDocument } from '@takedown/shared';
import { compileRuleset, normalize, rewriteSearch, SearchGuardError, type Rule } from '@takedown/search-rules';
import { createTestContext, type TestContext } from '../support/test-context';

/**
 * The rewriter and guard against a real Elasticsearch: whatever a hostile
 * caller puts in the body, no flagged document id appears anywhere in any
 * response, and refused bodies fail with the path.
 */
let ctx: TestContext;
let index: string;

const now = '2026-11-01T00:00:00.000Z';
const pending: Rule = {
  id: 'pending-crystal',
  kind: 'phrase',
  pattern: 'crystal delivery',
  category: 'drugs',
  scope: ['content'],
  action: 'exclude',
  createdBy: 'lead',
  createdAt: now,
};
const compiled = compileRuleset({
  version: 1,
  publishedAt: now,
  publishedBy: 'lead',
  rules: [
    { id: 'q-cocaine', kind: 'term', pattern: 'cocaine', category: 'drugs', scope: ['query'], action: 'block_query', createdBy: 'lead', createdAt: now },
    pending,
  ],
});

const docs: (ContentDocument & { flagged: boolean })[] = [
  { id: 'clean-1', text: 'lemon cake recipe for the weekend', flagged: false },
  { id: 'clean-2', text: 'football results and a cake', flagged: false },
  { id: 'clean-3', text: 'cake shop opens near the park', flagged: false },
  { id: 'removed-1', text: 'cake delivery, ask for the special cake', flagged: true, moderation: { state: 'removed' as const } },
  { id: 'restricted-de', text: 'cake with a message only some may see', flagged: true, moderation: { state: 'restricted' as const, restrictedIn: ['DE'] } },
  { id: 'recent-1', text: 'cake and more, taken down a moment ago', flagged: true },
  { id: 'pending-1', text: 'CRYSTAL delivery tonight, cake too', flagged: true },
  { id: 'suspected-1', text: 'cake cake cake cake suspicious', flagged: false, moderation: { state: 'suspected' as const } },
].map((d) => ({
  type: 'post',
  authorId: d.id === 'clean-1' ? 'author-a' : 'author-b',
  lang: 'en',
  createdAt: now,
  ...d,
  moderation: { ...(d.moderation ?? {}), normalizedText: normalize(d.text) },
}));
const flaggedIds = docs.filter((d) => d.flagged).map((d) => d.id);

beforeAll(async () => {
  ctx = await createTestContext('search-rules');
  index = ctx.config.contentIndex;
  await ensureContentIndex(ctx.es, index, 0);
  const operations = docs.flatMap(({ flagged: _f, ...d }) => [{ index: { _index: index, _id: d.id } }, d]);
  await ctx.es.bulk({ operations, refresh: true });
});
afterAll(async () => {
  await ctx.cleanup();
});

async function searchRewritten(body: Record<string, unknown>): Promise<string> {
  const r = rewriteSearch(compiled, body, { country: 'DE', recentlyRemovedIds: ['recent-1'], pendingContentRules: [pending] });
  if (r.blocked) throw new Error('unexpected block');
  const res = await ctx.es.search({ index, ...(r.body as object) });
  return JSON.stringify(res);
}

describe('search-rules against the real Elasticsearch', () => {
  const hostileButAllowed: [string, Record<string, unknown>][] = [
    ['plain match', { query: { match: { text: 'cake' } }, size: 50 }],
    ['ids query for flagged docs', { query: { ids: { values: flaggedIds } } }],
    ['must_not of our own filter', { query: { bool: { must_not: [{ match_all: {} }] } } }],
    ['should with match_all', { query: { bool: { should: [{ match_all: {} }], minimum_should_match: 0 } }, size: 100 }],
    ['terms agg with top_hits', { size: 0, aggs: { a: { terms: { field: 'authorId' }, aggs: { t: { top_hits: { size: 100 } } } } } }],
    ['filter agg on a flagged id', { size: 0, aggs: { f: { filter: { ids: { values: flaggedIds } }, aggs: { t: { top_hits: {} } } } } }],
    ['post_filter that tries to widen', { query: { match: { text: 'cake' } }, post_filter: { match_all: {} } }],
    ['highlight_query for flagged text', { query: { match: { text: 'cake' } }, highlight: { fields: { text: {} }, highlight_query: { match: { text: 'delivery' } } } }],
    ['rescore with match_all', { query: { match: { text: 'cake' } }, rescore: { window_size: 100, query: { rescore_query: { match_all: {} } } } }],
    ['function_score with weight', { query: { function_score: { query: { match_all: {} }, functions: [{ weight: 100 }] } } }],
    ['collapse on author', { query: { match_all: {} }, collapse: { field: 'authorId' } }],
    ['sort and search_after', { query: { match_all: {} }, sort: [{ createdAt: 'asc' }, { id: 'asc' }], search_after: [0, ''] }],
    ['min_score 0 and track_total_hits', { query: { match_all: {} }, min_score: 0, track_total_hits: true }],
    ['constant_score of ids', { query: { constant_score: { filter: { ids: { values: ['removed-1'] } } } } }],
    ['dis_max of everything', { query: { dis_max: { queries: [{ match_all: {} }, { ids: { values: flaggedIds } }] } } }],
  ];

  it.each(hostileButAllowed)('%s: no flagged id anywhere in the response', async (_name, body) => {
    const response = await searchRewritten(body);
    for (const id of flaggedIds) expect(response).not.toContain(`"${id}"`);
  });

  it('still returns clean documents, with the suspected one ranked lower', async () => {
    const r = rewriteSearch(compiled, { query: { match: { text: 'cake' } } }, { country: 'DE', recentlyRemovedIds: ['recent-1'], pendingContentRules: [pending] });
    if (r.blocked) throw new Error('unexpected block');
    const res = await ctx.es.search({ index, ...(r.body as object) });
    const ids = res.hits.hits.map((h) => h._id);
    expect(ids.sort()).toEqual(['clean-1', 'clean-2', 'clean-3', 'suspected-1'].sort());
    expect(res.hits.hits[res.hits.hits.length - 1]?._id).toBe('suspected-1');
    // Without demotion, the cake-stuffed suspected post would rank first.
    const raw = await ctx.es.search({ index, query: { match: { text: 'cake' } } });
    expect(raw.hits.hits[0]?._id).toBe('suspected-1');
  });

  it('shows a document restricted in DE to a caller in FR', async () => {
    const r = rewriteSearch(compiled, { query: { ids: { values: ['restricted-de'] } } }, { country: 'FR' });
    if (r.blocked) throw new Error('unexpected block');
    const res = await ctx.es.search({ index, ...(r.body as object) });
    expect(res.hits.hits.map((h) => h._id)).toEqual(['restricted-de']);
  });

  it('blocks an evasive illegal-goods query before it reaches Elasticsearch', () => {
    const r = rewriteSearch(compiled, { query: { match: { text: 'c 0 c a i n e' } } });
    expect(r).toMatchObject({ blocked: true, ruleId: 'q-cocaine', category: 'drugs' });
  });

  it.each([
    [{ suggest: { s: { text: 'ca', term: { field: 'text' } } } }, '/suggest'],
    [{ aggs: { g: { global: {}, aggs: { t: { top_hits: {} } } } } }, '/aggs/g/global'],
    [{ query: { nested: { path: 'media', query: { match_all: {} }, inner_hits: {} } } }, '/query/nested/inner_hits'],
    [{ explain: true, query: { match_all: {} } }, '/explain'],
    [{ runtime_mappings: { 'moderation.state': { type: 'keyword', script: "emit('none')" } } }, '/runtime_mappings'],
    [{ query: { terms: { id: { index, id: 'removed-1', path: 'id' } } } }, '/query/terms/id'],
  ])('refuses %j with its path, before Elasticsearch sees it', (body, path) => {
    let err: unknown;
    try {
      rewriteSearch(compiled, body);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SearchGuardError);
    expect((err as SearchGuardError).field).toBe(path);
    expect((err as SearchGuardError).status).toBe(400);
  });

  it('the global-aggregation leak is real when the guard is skipped (so the guard test above means something)', async () => {
    const r = rewriteSearch(compiled, { size: 0 }, { country: 'DE', recentlyRemovedIds: ['recent-1'] });
    if (r.blocked) throw new Error('unexpected block');
    const leaked = await ctx.es.search({
      index,
      ...(r.body as object),
      aggs: { g: { global: {}, aggs: { t: { top_hits: { size: 100 } } } } },
    });
    expect(JSON.stringify(leaked)).toContain('"removed-1"');
  });
});
