import { guardSearchBody, SearchGuardError } from './index';

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
    [{ query: { more_like_this: { fields: ['text'], like: [{ _index: 'x', _id: '1' }] } } }, '/query/more_like_this'],
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

describe('options, not only types', () => {
  const terms = (opts: Record<string, unknown>) => ({ aggs: { t: { terms: { field: 'id', ...opts } } } });
  it.each([
    [terms({ min_doc_count: 0 }), '/aggs/t/terms/min_doc_count'],
    [terms({ min_doc_count: '0' }), '/aggs/t/terms/min_doc_count'],
    [terms({ min_doc_count: 0.5 }), '/aggs/t/terms/min_doc_count'],
    [terms({ min_doc_count: -1 }), '/aggs/t/terms/min_doc_count'],
    [terms({ min_doc_count: '-0' }), '/aggs/t/terms/min_doc_count'],
    [terms({ min_doc_count: false }), '/aggs/t/terms/min_doc_count'],
    [terms({ min_doc_count: null }), '/aggs/t/terms/min_doc_count'],
    [terms({ shard_min_doc_count: 0 }), '/aggs/t/terms/shard_min_doc_count'],
    [terms({ size: '10' }), '/aggs/t/terms/size'],
    [terms({ sneaky: 1 }), '/aggs/t/terms/sneaky'],
    [{ aggs: { m: { multi_terms: { terms: [{ field: 'id' }, { field: 'authorId' }], min_doc_count: 0 } } } }, '/aggs/m/multi_terms/min_doc_count'],
    [{ aggs: { h: { histogram: { field: 'n', interval: 1, min_doc_count: 0, extended_bounds: { min: 0, max: 9 } } } } }, '/aggs/h/histogram/min_doc_count'],
    [{ aggs: { h: { date_histogram: { field: 'createdAt', calendar_interval: 'day', extended_bounds: { min: 0, max: 9 } } } } }, '/aggs/h/date_histogram/extended_bounds'],
    [{ aggs: { s: { significant_terms: { field: 'id' } } } }, '/aggs/s/significant_terms'],
    [{ aggs: { r: { rare_terms: { field: 'id', max_doc_count: 0 } } } }, '/aggs/r/rare_terms/max_doc_count'],
    [{ aggs: { t: { terms: { field: 'lang' }, aggs: { u: { terms: { field: 'id', min_doc_count: 0 } } } } } }, '/aggs/t/aggs/u/terms/min_doc_count'],
    [{ aggs: { f: { filter: { match_all: {} }, aggs: { u: { terms: { field: 'media.sha256', min_doc_count: 0 } } } } } }, '/aggs/f/aggs/u/terms/min_doc_count'],
    [{ aggs: { c: { composite: { sources: [{ a: { terms: { field: 'id', script: 'x' } } }] } } } }, '/aggs/c/composite/sources/0/a/terms/script'],
    [{ query: { match: { text: { query: 'x', sneaky: { script: '1' } } } } }, '/query/match/text/sneaky'],
    [{ query: { term: { a: 'x', b: 'y' } } }, '/query/term/b'],
    [{ query: { bool: { must: { match_all: {} }, __proto__x: 1 } } }, '/query/bool/__proto__x'],
    [JSON.parse('{"__proto__": {"query": {"match_all": {}}}}'), '/__proto__'],
    [{ constructor: {} }, '/constructor'],
    [{ query: { constructor: {} } }, '/query/constructor'],
    [{ query: { toString: {} } }, '/query/toString'],
    [{ aggs: { a: { hasOwnProperty: {} } } }, '/aggs/a/hasOwnProperty'],
    [{ size: '10' }, '/size'],
    [{ from: 1.5 }, '/from'],
    [{ track_total_hits: 'true' }, '/track_total_hits'],
    [{ timeout: { a: 1 } }, '/timeout'],
    [{ search_after: [{ a: { b: 1 } }, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32] }, '/search_after'],
    [{ query: { match: { text: 'x'.repeat(5000) } } }, '/query/match/text'],
    [{ _source: { includes: [{ a: 1 }] } }, '/_source/includes/0'],
    [{ sort: [{ a: 'asc', b: 'desc' }] }, '/sort/0'],
    [{ aggs: { t: { top_metrics: { metrics: { field: 'n' }, sort: { _script: {} } } } } }, '/aggs/t/top_metrics/sort/_script'],
    [{ aggs: { t: { terms: { field: 'lang' }, aggs: { s: { bucket_sort: { sort: [{ _script: {} }] } } } } } }, '/aggs/t/aggs/s/bucket_sort/sort/0/_script'],
  ])('refuses %j at %s', (body, path) => {
    const e = refusal(body);
    expect(e.field).toBe(path);
    expect(e.status).toBe(400);
  });

  it('passes the same aggregations with safe options', () => {
    for (const body of [
      { aggs: { t: { terms: { field: 'lang', min_doc_count: 1, size: 5, order: { _count: 'desc' }, missing: 'n/a' } } } },
      { aggs: { h: { date_histogram: { field: 'createdAt', calendar_interval: 'day', min_doc_count: 1 } } } },
      { aggs: { c: { composite: { sources: [{ l: { terms: { field: 'lang', missing_bucket: true } } }], size: 10, after: { l: 'en' } } } } },
      { aggs: { r: { rare_terms: { field: 'lang', max_doc_count: 2 } } } },
      { aggs: { p: { percentiles: { field: 'n', percents: [50, 99] } } } },
      { aggs: { t: { terms: { field: 'lang' }, aggs: { m: { max: { field: 'n' } }, s: { bucket_sort: { sort: [{ m: { order: 'desc' } }], size: 3 } } } } } },
    ]) {
      expect(() => guardSearchBody(body)).not.toThrow();
    }
  });
});

describe('bounded', () => {
  const nest = (depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown => {
    let v = leaf;
    for (let i = 0; i < depth; i++) v = wrap(v);
    return v;
  };
  it.each([
    ['query', (d: number) => ({ query: nest(d, { match_all: {} }, (q) => ({ bool: { must: q } })) })],
    ['post_filter', (d: number) => ({ post_filter: nest(d, { match_all: {} }, (q) => ({ bool: { filter: [q] } })) })],
    ['aggs', (d: number) => ({ aggs: nest(d, { a: { max: { field: 'n' } } }, (a) => ({ a: { terms: { field: 'x' }, aggs: a } })) })],
    ['_source', (d: number) => ({ _source: nest(d, 'x', (v) => [v]) })],
    ['highlight', (d: number) => ({ highlight: { fields: { text: { highlight_query: nest(d, { match_all: {} }, (q) => ({ constant_score: { filter: q } })) } } } })],
    ['search_after', (d: number) => ({ search_after: [nest(d, 1, (v) => [v])] })],
    ['track_total_hits', (d: number) => ({ track_total_hits: nest(d, true, (v) => ({ v })) })],
    ['geo literal', (d: number) => ({ query: { geo_distance: { distance: '1km', loc: nest(d, 1, (v) => ({ v })) } } })],
    ['sort', (d: number) => ({ sort: [{ x: nest(d, { path: 'a' }, (n) => ({ path: 'a', nested: n })) }] })],
  ])('refuses %s nested 10,000 deep with a 400 and its path, without overflowing the stack', (_part, make) => {
    const e = refusal(make(10_000));
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/deeper than 64|must be|a sort clause|unknown option/);
    expect((e.field ?? "").split('/').length).toBeLessThanOrEqual(67);
  });

  it('passes nesting within the limit', () => {
    const q = nest(20, { match_all: {} }, (inner) => ({ bool: { must: inner } }));
    expect(() => guardSearchBody({ query: q })).not.toThrow();
  });

  it('refuses a body with too many values, naming where it stopped', () => {
    const e = refusal({ query: { terms: { id: Array.from({ length: 30_000 }, (_, i) => `p${i}`) } } });
    expect(e.message).toMatch(/more than/);
  });

  it('walks 1,000 nested bools once (refused at the depth limit, not after a quadratic walk)', () => {
    const body = { query: nest(1000, { match: { text: 'x' } }, (q) => ({ bool: { must: [q] } })) };
    expect(JSON.stringify(body).length).toBeGreaterThan(20_000);
    expect(refusal(body).message).toMatch(/deeper than 64/);
  });
});
