import { compileRuleset } from '../compile';
import { rewriteSearch } from '../rewrite';
import { SearchGuardError } from '../guard';
import { rule, ruleset, syntheticWord } from '../testing/rules-fixture';

const compiled = compileRuleset(
  ruleset([
    rule('cocaine', 'cocaine'),
    rule('lsd', 'lsd'),
    rule('buy-meth', 'buy meth'),
    rule('ru-mef', 'мефедрон'),
    rule('de-only', 'verbotenwort', { countries: ['DE'] }),
    rule('ar-only', 'حشيش', { locales: ['ar'] }),
    rule('content-only', 'cheap pills', { scope: ['content'], action: 'exclude' }),
  ]),
);

const blocked = (body: unknown, ctx = {}) => rewriteSearch(compiled, body, ctx).blocked;

describe('refusal covers every query-bearing part', () => {
  it.each([
    ['post_filter', { post_filter: { match: { text: 'cocaine' } } }],
    ['a filter aggregation', { aggs: { f: { filter: { term: { text: 'cocaine' } } } } }],
    ['a filters aggregation (keyed)', { aggs: { f: { filters: { filters: { a: { match: { text: 'cocaine' } } } } } } }],
    ['a filters aggregation (list)', { aggs: { f: { filters: { filters: [{ match: { text: 'cocaine' } }] } } } }],
    ['a sub-aggregation filter', { aggs: { t: { terms: { field: 'lang' }, aggs: { f: { filter: { match: { text: 'cocaine' } } } } } } }],
    ['rescore', { rescore: { window_size: 10, query: { rescore_query: { match: { text: 'cocaine' } } } } }],
    ['highlight_query', { highlight: { highlight_query: { match: { text: 'cocaine' } }, fields: { text: {} } } }],
    ['a per-field highlight_query', { highlight: { fields: { text: { highlight_query: { match: { text: 'cocaine' } } } } } }],
    ['a sort filter', { sort: [{ createdAt: { order: 'desc', nested: { path: 'media', filter: { match: { text: 'cocaine' } } } } }] }],
    ['a nested sort filter two levels down', { sort: [{ x: { nested: { path: 'a', nested: { path: 'a.b', filter: { term: { t: 'cocaine' } } } } } }] }],
    ['a top_hits sort filter', { aggs: { t: { top_hits: { sort: [{ x: { nested: { path: 'a', filter: { term: { t: 'cocaine' } } } } }] } } } }],
    ['a function_score filter', { query: { function_score: { functions: [{ filter: { match: { text: 'cocaine' } }, weight: 2 }] } } }],
    ['a boosting negative', { query: { boosting: { positive: { match_all: {} }, negative: { match: { text: 'cocaine' } }, negative_boost: 0.5 } } }],
  ])('blocks a blocked word in %s', (_where, body) => {
    expect(blocked(body)).toBe(true);
  });
});

describe('query syntax is read as Elasticsearch reads it', () => {
  it.each([
    ['an escape in query_string', { query_string: { query: 'co\\caine' } }],
    ['a field prefix', { query_string: { query: 'text:cocaine' } }],
    ['a group with a field', { query_string: { query: 'text:(cake OR cocaine)' } }],
    ['a fuzzy term', { query_string: { query: 'cocaime~' } }],
    ['a fuzzy term with distance', { query_string: { query: 'cocaime~1' } }],
    ['a wildcard term', { query_string: { query: 'coc?ine' } }],
    ['a leading wildcard', { query_string: { query: '*ocaine' } }],
    ['a regexp term', { query_string: { query: '/coc.ine/' } }],
    ['a range term', { query_string: { query: 'text:[cocaine TO cocaine]' } }],
    ['a phrase across operators', { query_string: { query: 'buy AND meth' } }],
    ['a boosted term', { query_string: { query: 'cocaine^3' } }],
    ['a quoted phrase with slop', { query_string: { query: '"buy meth"~2' } }],
    ['simple_query_string prefix', { simple_query_string: { query: 'cocai*' } }],
    ['simple_query_string fuzzy', { simple_query_string: { query: 'cocaime~1' } }],
    ['simple_query_string operators', { simple_query_string: { query: '+buy +meth' } }],
    ['match with fuzziness', { match: { text: { query: 'cocaime', fuzziness: 'AUTO' } } }],
    ['match with fuzziness 2', { match: { text: { query: 'kocaime', fuzziness: 2 } } }],
    ['multi_match with fuzziness', { multi_match: { query: 'cocaime', fields: ['text'], fuzziness: 1 } }],
    ['fuzzy', { fuzzy: { text: 'cocaime' } }],
    ['fuzzy with options', { fuzzy: { text: { value: 'cocaien', fuzziness: 1 } } }],
    ['wildcard ?', { wildcard: { text: 'coc?ine' } }],
    ['wildcard *', { wildcard: { text: 'co*ne' } }],
    ['wildcard value option', { wildcard: { text: { value: 'c*caine' } } }],
    ['wildcard in leet', { wildcard: { text: 'c0c*' } }],
    ['wildcard over a phrase on a keyword field', { wildcard: { title: 'buy*meth' } }],
    ['regexp', { regexp: { text: 'coc.ine' } }],
    ['regexp class', { regexp: { text: 'c[o0]caine' } }],
    ['regexp alternation', { regexp: { text: '(heroin|cocaine)' } }],
    ['regexp repeat', { regexp: { text: 'co{1,3}caine' } }],
    ['regexp complement', { regexp: { text: 'coca~(x)' } }],
    ['regexp in Cyrillic', { regexp: { text: 'мефедро.' } }],
    ['prefix', { prefix: { text: 'cocai' } }],
    ['prefix with value', { prefix: { text: { value: 'coca' } } }],
    ['match_phrase_prefix', { match_phrase_prefix: { text: 'buy met' } }],
    ['match_bool_prefix', { match_bool_prefix: { text: 'coc' } }],
    ['multi_match phrase_prefix', { multi_match: { query: 'coca', type: 'phrase_prefix', fields: ['text'] } }],
    ['a term range', { range: { text: { gte: 'cocaine', lte: 'cocaine' } } }],
    ['a narrow term range', { range: { text: { gt: 'coca', lt: 'cocb' } } }],
    ['a field named like an option', { match: { fuzziness: 'cocaine' } }],
    ['a term value under a field named value', { term: { value: 'cocaine' } }],
    ['a term value in an object', { term: { text: { value: 'cocaine', case_insensitive: true } } }],
    ['terms values', { terms: { text: ['cake', 'cocaine'] } }],
  ])('blocks %s', (_what, query) => {
    expect(blocked({ query })).toBe(true);
  });

  it.each([
    ['a broad wildcard', { wildcard: { text: 'c*' } }],
    ['match everything', { wildcard: { text: '*' } }],
    ['a benign wildcard', { wildcard: { text: 'cak*' } }],
    ['a benign prefix with a separator', { prefix: { authorId: 'user-1' } }],
    ['a benign regexp', { regexp: { text: 'lemon.*cake' } }],
    ['a benign fuzzy word', { match: { text: { query: 'lemon cake', fuzziness: 'AUTO' } } }],
    ['a half-open date range', { range: { createdAt: { gte: 'now-30d' } } }],
    ['a date range', { range: { createdAt: { gte: '2026-01-01', lte: '2026-02-01' } } }],
    ['negated words are still plain words, but benign ones pass', { query_string: { query: 'recipe AND (cake OR pie) -cream' } }],
    ['a benign phrase prefix', { match_phrase_prefix: { text: 'lemon ca' } }],
    ['a content-only rule', { match: { text: 'cheap pills' } }],
    ['a word the fuzzy distance does not reach', { fuzzy: { text: { value: 'cucumber', fuzziness: 2 } } }],
  ])('passes %s', (_what, query) => {
    expect(blocked({ query })).toBe(false);
  });
});

describe('bypasses found by an independent attack stay refused', () => {
  const shipped = compileRuleset(ruleset([...compiled.rules, rule('buy-coke', 'buy coke')]));
  const refused = (query: unknown) => {
    try {
      return rewriteSearch(shipped, { query }, { country: 'DE' }).blocked;
    } catch (e) {
      if (e instanceof SearchGuardError) return true;
      throw e;
    }
  };
  it.each([
    ['a tab the analyser splits at', { match: { text: 'best\tcocaine' } }],
    ['a newline', { match: { text: 'best\ncocaine' } }],
    ['a dollar sign', { match: { text: 'best$cocaine' } }],
    ['a phrase joined by a symbol', { match_phrase: { text: 'buy$meth' } }],
    ['a symbol in query_string', { query_string: { query: 'x@cocaine' } }],
    ['a pipe in Cyrillic', { match: { text: 'x|мефедрон' } }],
    ['a zero-width space', { match: { text: 'foo\u200bcocaine' } }],
    ['digits the simple analyser splits at', { match: { text: { query: 'cocaine5x', analyzer: 'simple' } } }],
    ['a unicode escape in query_string', { query_string: { query: '\\u0063ocaine' } }],
    ['a unicode escape in a phrase', { query_string: { query: '"\\u0063ocaine"' } }],
    ['a regexp of classes', { regexp: { text: '[c][o][c][a][i][n][e]' } }],
    ['a regexp of optionals', { regexp: { text: 'c?o?c?a?i?n?e?' } }],
    ['a regexp with \\w', { regexp: { text: 'coca\\wne' } }],
    ['a regexp with [\\w]', { regexp: { text: 'coc[\\w]ine' } }],
    ['an alternation with a decoy', { regexp: { text: '(x|cocaine)' } }],
    ['wildcard and value both given', { wildcard: { text: { value: 'zzz', wildcard: 'cocain?' } } }],
    ['a range whose raw bounds hold the word', { range: { text: { gte: 'cocaind', lte: 'cocainä' } } }],
    ['a range with capitals', { range: { text: { gte: 'cocaiNZ', lte: 'cocainf' } } }],
    ['a range with two spellings of each bound', { range: { text: { gte: 'aaa', lte: 'aab', from: 'cocaind', to: 'cocainf' } } }],
    ['a fuzzy word Elasticsearch keeps whole', { fuzzy: { text: { value: 'coca.ne', fuzziness: 1 } } }],
    ['a fuzzy match Elasticsearch keeps whole', { match: { text: { query: 'coca.ne', fuzziness: 1 } } }],
    ['a fuzzy query_string word', { query_string: { query: 'coca.ne~1' } }],
    ['~AUTO in query_string', { query_string: { query: 'cocaina~AUTO', fuzziness: 0 } }],
    ['a phrase prefix ending in a space', { match_phrase_prefix: { text: 'coca ' } }],
    ['a phrase rule with a short last prefix', { match_phrase_prefix: { text: { query: 'buy me', max_expansions: 10000 } } }],
    ['query_string of type bool_prefix', { query_string: { query: 'coca', type: 'bool_prefix' } }],
    ['query_string of type phrase_prefix', { query_string: { query: 'best coca', type: 'phrase_prefix' } }],
    ['a phrase with slop in reverse', { match_phrase: { text: { query: 'coke buy', slop: 2 } } }],
    ['a quoted phrase with slop in reverse', { query_string: { query: '"coke buy"~2' } }],
    ['query_string with escape', { query_string: { query: 'cocaine: x', escape: true } }],
    ['AUTO:low,high fuzziness', { match: { text: { query: 'lxx', fuzziness: 'AUTO:1,2' } } }],
    ['a stemming analyser', { match: { text: { query: 'кокаином', analyzer: 'russian' } } }],
    ['Han glued to a word', { match: { text: '漢cocaine' } }],
    ['Han glued to Cyrillic', { match: { text: '漢мефедрон' } }],
    ['a letter newer than the analyser', { match: { text: 'x\u0897cocaine' } }],
    ['a phrase joined by a letter newer than the analyser', { match_phrase: { text: 'buy\u0897coke' } }],
    ['a combining mark with the simple analyser', { match: { text: { query: 'x\u0301cocaine', analyzer: 'simple' } } }],
    ['a 255-letter run glued to a word', { match: { text: `${'ahovcjq'.repeat(37).slice(0, 255)}cocaine` } }],
    ['a regexp of classes with a dot', { regexp: { text: '[c.][o.][c.][a.][i.][n.][e.]' } }],
    ['a regexp of classes with a space', { regexp: { text: '[c ][o ][c ][a ][i ][n ][e ]' } }],
    ['a regexp of nine-letter classes', { regexp: { text: '[c-k][o-w][c-k][a-i][i-q][n-v][e-m]' } }],
    ['a double complement', { regexp: { text: '~(~(cocaine))' } }],
    ['the stop analyser', { match_phrase: { text: { query: 'coke the sale', analyzer: 'stop' } } }],
    ['analyze_wildcard splitting a wildcard', { query_string: { query: 'x$coca*', analyze_wildcard: true } }],
    ['a boost before the fuzzy slop', { query_string: { query: 'cocaina^2~2' } }],
    ['a boost before a bare fuzzy mark', { query_string: { query: 'cocaima^1~' } }],
    ['a single & inside a fuzzy term', { query_string: { query: 'coca&ne~1' } }],
    ['a single | inside a fuzzy term', { query_string: { query: 'coca|ne~1' } }],
    ['a quoted range bound holding ]', { query_string: { query: 'text:["a]" TO cocainf]' } }],
    ['a number range bound', { range: { text: { gte: 5, lte: 'cocainf' } } }],
    ['an unclosed quote in simple_query_string', { simple_query_string: { query: '"cocain*' } }],
    ['a fuzzy last word after which the text goes on', { match_bool_prefix: { text: { query: 'cocaina.', fuzziness: 1 } } }],
    ['a fuzzy word the analyser cuts at a comma', { match: { text: { query: 'ccaine,x', fuzziness: 'AUTO' } } }],
    ['a fuzzy value holding a space', { fuzzy: { text: { value: 'coc ine', fuzziness: 1 } } }],
    ['an escaped space in a fuzzy query_string term', { query_string: { query: 'coc\\ ine~1' } }],
    ['top_terms rewrite (reads which terms hidden posts hold)', { regexp: { authorId: { value: 'hzz|hid.*', rewrite: 'top_terms_1' } } }],
    ['a small max_expansions (reads which terms hidden posts hold)', { match_phrase_prefix: { text: { query: 'se', max_expansions: 1 } } }],
    ['two half-open ranges ANDed on a field', { bool: { must: [{ range: { 'text.kw': { gte: 'cocaind' } } }, { range: { 'text.kw': { lte: 'cocainf' } } }] } }],
    ['two half-open shorthand ranges in a query string', { query_string: { query: 'text.kw:>cocaind AND text.kw:<cocainf' } }],
    ['two open-ended bracket ranges in a query string', { query_string: { query: 'text.kw:[cocaind TO *] AND text.kw:[* TO cocainf]' } }],
    ['a regexp of negated classes that each leave one letter', { regexp: { text: '[^a-bd-z][^a-np-z][^a-bd-z][^b-z][^a-hj-z][^a-mo-z][^a-df-z]' } }],
    ['a regexp of letters and negated classes', { regexp: { text: 'co[^a-bd-z][^b-z][^a-hj-z][^a-mo-z][^a-df-z]' } }],
    ['an ideographic space before the fuzzy mark', { simple_query_string: { query: 'cocain\u3000~2' } }],
    ['a no-break space before the fuzzy mark', { query_string: { query: 'cocain\u00a0~2' } }],
    ['a plain space before the fuzzy mark', { query_string: { query: 'cocain ~2' } }],
    ['an emoji counted as one edit', { fuzzy: { text: { value: 'coc😀ine', fuzziness: 1 } } }],
    ['two emoji counted as two edits', { fuzzy: { text: { value: 'co😀😀ine', fuzziness: 2 } } }],
    ['a soft hyphen lengthening a fuzzy word', { match: { text: { query: 'cocan\u00ad,x', fuzziness: 'AUTO' } } }],
    ['a zero-width joiner lengthening a fuzzy word', { match: { text: { query: 'cocan\u200d,x', fuzziness: 'AUTO' } } }],
    ['more_like_this (document frequencies over hidden documents)', { more_like_this: { like: ['u5', 'hiddenauthor'], fields: ['authorId'], min_doc_freq: 1 } }],
  ])('refuses %s', (_what, query) => {
    expect(refused(query)).toBe(true);
  });

  it.each([
    ['a terms aggregation include pattern', { size: 0, aggs: { t: { terms: { field: 'text.kw', include: '.*cocaine.*' }, aggs: { h: { top_hits: {} } } } } }],
    ['a terms aggregation include list', { size: 0, aggs: { t: { terms: { field: 'text.kw', include: ['cocaine', 'x'] } } } }],
    ['a rare_terms include pattern', { size: 0, aggs: { t: { rare_terms: { field: 'text.kw', include: 'coc.*' } } } }],
  ])('refuses %s', (_what, body) => {
    expect(rewriteSearch(shipped, body).blocked).toBe(true);
  });

  it('charges normalising range bounds once per bound, so many wide bounds are refused, not ground through', () => {
    const must = 'abcdefghijklmnop'.split('').flatMap((c) => [
      { range: { 'text.kw': { gte: `${'ﷺ'.repeat(2047)}${c}` } } },
      { range: { 'text.kw': { lte: `${'ﷺ'.repeat(2047)}${c}` } } },
    ]);
    expect(() => rewriteSearch(shipped, { query: { bool: { must } } })).toThrow(/too costly|characters of search text/);
  });

  it('answers query strings made of stray closing brackets (they once spun the parser forever)', () => {
    for (const q of ['}', ']', 'cocaine ]', 'a}b']) {
      expect(rewriteSearch(shipped, { query: { query_string: { query: q } } }).blocked).toBe(q.includes('cocaine'));
    }
  });

  it('reads a run of complements without overflowing the stack', () => {
    const body = { query: { query_string: { query: `/${'~'.repeat(4000)}/` } } };
    expect(() => rewriteSearch(shipped, body)).not.toThrow(RangeError);
  });

  it('caps the search text one body may carry', () => {
    const should = Array.from({ length: 162 }, () => ({ match: { text: 'ﷺ'.repeat(4096) } }));
    expect(() => rewriteSearch(shipped, { query: { bool: { should } } })).toThrow(/characters of search text/);
  });
});

describe('context fails closed', () => {
  it('applies country-scoped refusals when the country is unknown', () => {
    expect(blocked({ query: { match: { text: 'verbotenwort' } } })).toBe(true);
    expect(blocked({ query: { match: { text: 'verbotenwort' } } }, { country: 'DE' })).toBe(true);
    expect(blocked({ query: { match: { text: 'verbotenwort' } } }, { country: 'FR' })).toBe(false);
  });

  it('never lets a locale switch a rule off', () => {
    expect(blocked({ query: { match: { text: 'حشيش' } } }, { locale: 'en' })).toBe(true);
    expect(blocked({ query: { match: { text: 'мефедрон' } } }, { locale: 'ar', country: 'FR' })).toBe(true);
  });
});

describe('bounded', () => {
  it('refuses an unreadable regexp with its path', () => {
    try {
      rewriteSearch(compiled, { query: { bool: { must: [{ regexp: { text: 'coc(aine' } }] } } });
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toBeInstanceOf(SearchGuardError);
      expect((e as SearchGuardError).field).toBe('/query/bool/must/0/regexp');
    }
  });

  it('refuses a search too costly to check rather than passing it', () => {
    const big = compileRuleset(ruleset(Array.from({ length: 5000 }, (_, i) => rule(`w${i}`, syntheticWord(i)))));
    const many = Array.from({ length: 900 }, (_, i) => ({ regexp: { text: `w.*z.*z.*${i}` } }));
    const r = () => rewriteSearch(big, { query: { bool: { should: many } } });
    expect(r).toThrow(/too costly|pattern/);
  });
});

describe('term expansion is never capped below every term', () => {
  type Obj = Record<string, any>;
  const rewritten = (query: unknown) => {
    const r = rewriteSearch(compiled, { query });
    if (r.blocked) throw new Error('unexpected block');
    return (r.body as Obj)['query'].bool.must[0].boosting.positive;
  };
  it.each([
    [{ fuzzy: { text: 'lemon' } }, { fuzzy: { text: { value: 'lemon', max_expansions: 10000 } } }],
    [{ match: { text: { query: 'lemon', fuzziness: 'AUTO' } } }, { match: { text: { query: 'lemon', fuzziness: 'AUTO', max_expansions: 10000 } } }],
    [{ match: { text: 'lemon' } }, { match: { text: 'lemon' } }],
    [{ match_phrase_prefix: { text: 'lemon ca' } }, { match_phrase_prefix: { text: { query: 'lemon ca', max_expansions: 10000 } } }],
    [{ query_string: { query: 'lemon~' } }, { query_string: { query: 'lemon~', fuzzy_max_expansions: 10000 } }],
    [{ bool: { should: [{ match_bool_prefix: { text: 'lem' } }] } }, { bool: { should: [{ match_bool_prefix: { text: { query: 'lem', max_expansions: 10000 } } }] } }],
  ])('sends %j as %j, leaving the caller\'s body as it was', (query, sent) => {
    const before = structuredClone(query);
    expect(rewritten(query)).toEqual(sent);
    expect(query).toEqual(before);
  });

  it('uncaps clauses under aggregations with long names too', () => {
    const name = 'n'.repeat(150);
    const r = rewriteSearch(compiled, { aggs: { [name]: { filter: { fuzzy: { text: 'lemon' } } } } });
    if (r.blocked) throw new Error('unexpected block');
    expect((r.body as Obj)['aggs'][name].filter).toEqual({ fuzzy: { text: { value: 'lemon', max_expansions: 10000 } } });
  });
});
