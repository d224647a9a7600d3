import fc from 'fast-check';
import { compileRuleset } from './compile';
import { SearchGuardError, guardSearchBody, textOf } from './guard';
import { rewriteSearch } from './rewrite';
import { rule, ruleset } from './testing/rules-fixture';

const compiled = compileRuleset(
  ruleset([
    rule('cocaine', 'cocaine'),
    rule('ru-mef', 'мефедрон'),
    rule('shadow-oxy', 'oxy', { shadow: true }),
    rule('pending-exclude', 'crystal delivery', { scope: ['content'], action: 'exclude' }),
    rule('pending-demote', 'cheap pills', { scope: ['content'], action: 'demote' }),
  ]),
);
const [, , , pendingExclude, pendingDemote] = compiled.rules;

type Obj = Record<string, any>;

describe('guardSearchBody search texts', () => {
  it('finds text in every text-bearing clause at any depth', () => {
    const q = {
      bool: {
        must: [{ match: { text: 'a1' } }, { match_phrase: { text: { query: 'a2' } } }],
        should: [{ multi_match: { query: 'a3', fields: ['x'] } }, { query_string: { query: 'text:a4' } }],
        filter: { bool: { must: { term: { tag: { value: 'a5' } } } } },
        must_not: [{ wildcard: { text: '*a6*' } }, { prefix: { text: 'a7' } }, { fuzzy: { text: 'a8' } }],
      },
    };
    expect(guardSearchBody({ query: q }).map(textOf).sort()).toEqual(['a1', 'a2', 'a3', 'a5', '*a6*', 'a7', 'a8', 'text:a4'].sort());
  });
});

describe('rewriteSearch', () => {
  it.each([
    { query: { match: { text: 'buy C0CAINE' } } },
    { query: { bool: { should: [{ match: { title: 'x' } }, { wildcard: { text: 'coca*ine' } }] } } },
    { query: { query_string: { query: 'text:(cocaine OR cake)' } } },
    { query: { simple_query_string: { query: 'мефедрон оптом' } } },
    { query: { terms: { tags: ['cake', 'cocaine'] } } },
    { query: { constant_score: { filter: { term: { text: 'cocaine' } } } } },
  ])('blocks %j', (body) => {
    const r = rewriteSearch(compiled, body);
    expect(r.blocked).toBe(true);
    if (r.blocked) expect(['cocaine', 'ru-mef']).toContain(r.ruleId);
  });

  it('does not block a shadow hit, but reports it', () => {
    const r = rewriteSearch(compiled, { query: { match: { text: 'oxy' } } });
    expect(r.blocked).toBe(false);
    expect(r.shadowHits.map((h) => h.ruleId)).toEqual(['shadow-oxy']);
  });

  it('wraps the query intact under the exclusions and demotion', () => {
    const query = { match: { text: 'lemon cake' } };
    const r = rewriteSearch(compiled, { query, size: 5, aggs: { l: { terms: { field: 'lang' } } } }, {
      country: 'de',
      recentlyRemovedIds: ['post-1', 'post-2'],
      pendingContentRules: [pendingExclude!, pendingDemote!],
    });
    if (r.blocked) throw new Error('unexpected block');
    const b = r.body as Obj;
    expect(b['size']).toBe(5);
    expect(b['aggs']).toEqual({ l: { terms: { field: 'lang' } } });
    expect(b['query'].bool.must[0].boosting.positive).toEqual(query);
    expect(b['query'].bool.must_not).toEqual([
      { terms: { 'moderation.state': ['removed', 'excluded'] } },
      { term: { 'moderation.placeholder': true } },
      { bool: { filter: [{ term: { 'moderation.state': 'restricted' } }, { term: { 'moderation.restrictedIn': 'DE' } }] } },
      { ids: { values: ['post-1', 'post-2'] } },
      { match_phrase: { 'moderation.normalizedText': 'crystai deivery' } }, // the skeleton: l reads as i (issue 17)
    ]);
    expect(JSON.stringify(b['query'].bool.must[0].boosting.negative)).toContain('cheap pis') // l, I, 1 and | share the skeleton letter i (issue 17);
  });

  it('filters pending flag_for_review rules as they hold the post, and country-scoped ones where they apply or the country is unknown', () => {
    const held = rule('held', 'menu in bio', { scope: ['content'], action: 'flag_for_review', untilReviewed: 'exclude' });
    const flagged = rule('flagged', 'dm for prices', { scope: ['content'], action: 'flag_for_review' });
    const german = rule('german', 'verbotenes zeichen', { scope: ['content'], action: 'exclude', countries: ['DE'] });
    const mustNotOf = (country?: string) => {
      const r = rewriteSearch(compiled, {}, { ...(country ? { country } : {}), pendingContentRules: [held, flagged, german] });
      if (r.blocked) throw new Error('unexpected block');
      return JSON.stringify((r.body as Obj)['query'].bool);
    };
    expect(mustNotOf('FR')).toContain('menu in bio');
    expect(mustNotOf('FR')).toContain('dm for prices'); // demoted, in the boosting negative
    expect(mustNotOf('FR')).not.toContain('verbotenes');
    expect(mustNotOf('DE')).toContain('verbotenes zeichen');
    expect(mustNotOf()).toContain('verbotenes zeichen');
  });

  it('filters pending hash rules at query time too, in either case', () => {
    const hash = rule('pending-hash', 'EF'.repeat(32), { kind: 'sha256', scope: ['content'], action: 'auto_remove', category: 'csam' });
    const r = rewriteSearch(compiled, {}, { pendingContentRules: [hash] });
    if (r.blocked) throw new Error('unexpected block');
    expect((r.body as Obj)['query'].bool.must_not).toContainEqual({ term: { 'media.sha256': { value: 'ef'.repeat(32), case_insensitive: true } } });
  });

  it('hides everything restricted anywhere when the country is unknown', () => {
    const r = rewriteSearch(compiled, {});
    if (r.blocked) throw new Error('unexpected block');
    expect((r.body as Obj)['query'].bool.must_not).toContainEqual({ term: { 'moderation.state': 'restricted' } });
    expect((r.body as Obj)['query'].bool.must[0].boosting.positive).toEqual({ match_all: {} });
  });

  it('refuses a body the guard refuses', () => {
    expect(() => rewriteSearch(compiled, { query: { match_all: {} }, suggest: {} })).toThrow(SearchGuardError);
  });
});

// --- properties ---------------------------------------------------------------

const field = fc.constantFrom('text', 'title', 'lang', 'authorId');
const word = fc.constantFrom('lemon', 'cake', 'football', 'news', 'погода', 'مدينة', 'market', 'train');
const leaf = fc.oneof(
  fc.record({ match: fc.dictionary(field, word, { minKeys: 1, maxKeys: 1 }) }),
  fc.record({ term: fc.dictionary(field, word, { minKeys: 1, maxKeys: 1 }) }),
  fc.record({ match_phrase: fc.dictionary(field, word, { minKeys: 1, maxKeys: 1 }) }),
  fc.record({ range: fc.constant({ createdAt: { gte: 'now-1d' } }) }),
  fc.constant({ match_all: {} }),
);
const { query: safeQuery } = fc.letrec((tie) => ({
  query: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      bool: fc.record(
        {
          must: fc.array(tie('query'), { maxLength: 3 }),
          should: fc.array(tie('query'), { maxLength: 3 }),
          filter: fc.array(tie('query'), { maxLength: 2 }),
          must_not: fc.array(tie('query'), { maxLength: 2 }),
        },
        { requiredKeys: [] },
      ),
    }),
    fc.record({ constant_score: fc.record({ filter: tie('query') }) }),
    fc.record({ dis_max: fc.record({ queries: fc.array(tie('query'), { minLength: 1, maxLength: 3 }) }) }),
  ),
}));
const safeBody = fc.record(
  {
    query: safeQuery,
    size: fc.integer({ min: 0, max: 100 }),
    sort: fc.constant([{ createdAt: 'desc' }]),
    aggs: fc.constant({ by: { terms: { field: 'lang' } } }),
  },
  { requiredKeys: [] },
);

/** Constructs the guard must refuse, to be planted anywhere in a safe body. */
const forbidden = fc.constantFrom<Obj>(
  { script: { script: { source: '1' } } },
  { has_child: { type: 'c', query: { match_all: {} } } },
  { wrapper: { query: 'e30=' } },
  { terms: { id: { index: 'other', id: '1', path: 'p' } } },
  { nested: { path: 'media', query: { match_all: {} }, inner_hits: {} } },
  { percolate: { field: 'q', document: {} } },
  { function_score: { functions: [{ script_score: { script: '1' } }] } },
);

/** Plants `bad` at a random clause position of `query`. */
function plant(query: Obj, bad: Obj, choice: number): Obj {
  const clauses: Obj[] = [];
  const walk = (q: Obj) => {
    clauses.push(q);
    const b = q['bool'];
    if (b) for (const k of ['must', 'should', 'filter', 'must_not']) for (const c of b[k] ?? []) walk(c);
    if (q['constant_score']) walk(q['constant_score'].filter);
    if (q['dis_max']) for (const c of q['dis_max'].queries) walk(c);
  };
  walk(query);
  const target = clauses[choice % clauses.length] as Obj;
  if (target['bool']) {
    target['bool'].should = [...(target['bool'].should ?? []), bad];
    return query;
  }
  return { bool: { must: [query], should: [bad] } };
}

describe('properties', () => {
  it('the rewrite carries the exclusions at the top and the original query intact inside', () => {
    fc.assert(
      fc.property(safeBody, fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 3 }), (body, ids) => {
        const before = structuredClone(body);
        const r = rewriteSearch(compiled, body, { country: 'FR', recentlyRemovedIds: ids });
        if (r.blocked) return false;
        const q = (r.body as Obj)['query'];
        expect(Object.keys(q)).toEqual(['bool']);
        expect(q.bool.must_not[0]).toEqual({ terms: { 'moderation.state': ['removed', 'excluded'] } });
        if (ids.length > 0) expect(q.bool.must_not).toContainEqual({ ids: { values: ids } });
        expect(q.bool.must[0].boosting.positive).toEqual(before.query ?? { match_all: {} });
        expect(body).toEqual(before); // the caller's body is not mutated
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('the guard never passes a forbidden construct at any depth', () => {
    fc.assert(
      fc.property(safeQuery, forbidden, fc.nat(), (query, bad, choice) => {
        const body = { query: plant(structuredClone(query) as Obj, bad, choice) };
        expect(() => rewriteSearch(compiled, body)).toThrow(SearchGuardError);
      }),
      { numRuns: 300 },
    );
  });

  it('the guard never passes a forbidden aggregation at any depth', () => {
    const badAgg = fc.constantFrom<Obj>({ global: {} }, { children: { type: 'x' } }, { scripted_metric: {} }, { terms: { script: '1' } });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), badAgg, (depth, bad) => {
        let aggs: Obj = { bad };
        for (let i = 0; i < depth; i++) aggs = { [`l${i}`]: { terms: { field: 'lang' }, aggs } };
        expect(() => rewriteSearch(compiled, { aggs })).toThrow(SearchGuardError);
      }),
    );
  });
});
