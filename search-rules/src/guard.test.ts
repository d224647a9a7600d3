import { guardSearchBody, SearchGuardError } from './guard';

function refusal(body: unknown): SearchGuardError {
  try {
    guardSearchBody(body);
  } catch (e) {
    if (e instanceof SearchGuardError) return e;
    throw e;
  }
  throw new Error(`expected a refusal for ${JSON.stringify(body)}`);
}

describe('guardSearchBody', () => {
  it('passes ordinary platform searches', () => {
    const bodies = [
      undefined,
      {},
      { query: { match: { text: 'football' } }, size: 20, from: 20, sort: [{ createdAt: 'desc' }, '_score'] },
      {
        query: {
          bool: {
            must: [{ multi_match: { query: 'cake recipe', fields: ['text^2', 'title'] } }],
            filter: [{ term: { lang: 'en' } }, { range: { createdAt: { gte: 'now-7d' } } }],
            should: { match_phrase: { text: 'lemon cake' } },
          },
        },
        aggs: { by_lang: { terms: { field: 'lang' }, aggs: { latest: { top_hits: { size: 1 } } } } },
        highlight: { fields: { text: {} } },
        _source: ['id', 'text'],
        track_total_hits: true,
      },
      { query: { function_score: { query: { match: { text: 'x' } }, functions: [{ gauss: { createdAt: { scale: '7d' } } }] } } },
      { query: { nested: { path: 'media', query: { term: { 'media.kind': 'image' } } } } },
      { query: { more_like_this: { fields: ['text'], like: 'some text' } } },
      { post_filter: { term: { lang: 'ru' } }, collapse: { field: 'authorId' } },
    ];
    for (const b of bodies) expect(() => guardSearchBody(b)).not.toThrow();
  });

  it.each([
    [{ script_fields: { x: { script: '1' } } }, '/script_fields'],
    [{ runtime_mappings: { 'moderation.state': { type: 'keyword' } } }, '/runtime_mappings'],
    [{ suggest: { s: { prefix: 'co', completion: { field: 'suggest' } } } }, '/suggest'],
    [{ knn: { field: 'v', query_vector: [1], k: 1, num_candidates: 1 } }, '/knn'],
    [{ retriever: { standard: { query: { match_all: {} } } } }, '/retriever'],
    [{ sub_searches: [] }, '/sub_searches'],
    [{ explain: true }, '/explain'],
    [{ profile: true }, '/profile'],
    [{ pit: { id: 'x' } }, '/pit'],
    [{ stored_fields: ['_none_'] }, '/stored_fields'],
    [{ id: 'stored-template', params: {} }, '/id'],
    [{ source: '{"query":{}}' }, '/source'],
    [{ indices_boost: [{ other: 2 }] }, '/indices_boost'],
    [{ query: { script: { script: 'true' } } }, '/query/script'],
    [{ query: { bool: { should: [{ match: { text: 'a' } }, { script_score: {} }] } } }, '/query/bool/should/1/script_score'],
    [{ query: { function_score: { functions: [{ script_score: { script: '1' } }] } } }, '/query/function_score/functions/0/script_score'],
    [{ query: { has_child: { type: 'c', query: { match_all: {} } } } }, '/query/has_child'],
    [{ query: { nested: { path: 'media', query: { match_all: {} }, inner_hits: {} } } }, '/query/nested/inner_hits'],
    [{ query: { terms: { id: { index: 'other', id: '1', path: 'ids' } } } }, '/query/terms/id'],
    [{ query: { more_like_this: { fields: ['text'], like: [{ _index: 'x', _id: '1' }] } } }, '/query/more_like_this/like/0'],
    [{ query: { wrapper: { query: 'eyJtYXRjaF9hbGwiOnt9fQ==' } } }, '/query/wrapper'],
    [{ query: { pinned: { ids: ['1'], organic: { match_all: {} } } } }, '/query/pinned'],
    [{ query: { percolate: { field: 'q', index: 'x', id: '1' } } }, '/query/percolate'],
    [{ query: { match: { text: 'a' }, term: { x: 1 } } }, '/query'],
    [{ query: { sneaky_new_query: {} } }, '/query/sneaky_new_query'],
    [{ aggs: { all: { global: {}, aggs: { hits: { top_hits: {} } } } } }, '/aggs/all/global'],
    [{ aggs: { c: { children: { type: 'answer' } } } }, '/aggs/c/children'],
    [{ aggs: { s: { scripted_metric: {} } } }, '/aggs/s/scripted_metric'],
    [{ aggs: { t: { terms: { script: { source: 'doc.x' } } } } }, '/aggs/t/terms/script'],
    [{ aggs: { f: { filter: { script: { script: '1' } } } } }, '/aggs/f/filter/script'],
    [{ aggs: { a: { terms: { field: 'x' }, aggs: { g: { global: {} } } } } }, '/aggs/a/aggs/g/global'],
    [{ aggs: { t: { top_hits: { explain: true } } } }, '/aggs/t/top_hits/explain'],
    [{ sort: [{ _script: { script: '1', type: 'number' } }] }, '/sort/0/_script'],
    [{ highlight: { highlight_query: { script: { script: '1' } }, fields: { text: {} } } }, '/highlight/highlight_query/script'],
    [{ rescore: { query: { rescore_query: { wrapper: { query: 'x' } } } } }, '/rescore/query/rescore_query/wrapper'],
    [{ rescore: { learning_to_rank: {} } }, '/rescore/learning_to_rank'],
    [{ collapse: { field: 'authorId', inner_hits: { name: 'x' } } }, '/collapse/inner_hits'],
    [{ size: 100000 }, '/size'],
    [{ from: 9995, size: 10 }, '/from'],
    [[{ query: {} }], ''],
  ])('refuses %j at %s', (body, path) => {
    const e = refusal(body);
    expect(e.field).toBe(path);
    expect(e.status).toBe(400);
    expect(e.code).toBe('search_body_refused');
  });
});
