// npm run bench -- rewrite
// Median microseconds per guard + rewrite (`rewriteSearch` guards first) with
// a 10k-rule ruleset on realistic platform search bodies, beside
// `structuredClone` of the same bodies measured in this run, so the ratio
// holds on a noisy machine. Ends with one JSON line.
import { performance } from 'node:perf_hooks';
import { compileRuleset, rewriteSearch, shippedRules, testing, type Rule } from '@takedown/search-rules';

const RULES = 10_000;
const BATCH = 2_000;
const ROUNDS = 25;
const at = '2026-11-01T00:00:00.000Z';

const shipped = shippedRules(at);
const rules: Rule[] = [
  ...shipped,
  ...Array.from({ length: RULES - shipped.length }, (_, i) =>
    testing.rule(`syn${i}`, testing.syntheticWord(i), {
      scope: i % 2 ? ['query'] : ['content'],
      action: i % 2 ? 'block_query' : 'exclude',
    }),
  ),
];
const compiled = compileRuleset({ version: 1, rules, publishedAt: at, publishedBy: 'bench' });
const pending = rules.filter((r) => r.scope.includes('content') && r.action === 'exclude').slice(0, 5);
const recentlyRemovedIds = new Set(Array.from({ length: 40 }, (_, i) => `post-${i}`));

// What a messenger's public search sends: text boxes, filters, paging, sorting, facets, highlighting.
const bodies: Record<string, unknown> = {
  match: { query: { match: { text: 'birthday dinner at the museum' } }, size: 20 },
  multi_match_filtered: {
    query: {
      bool: {
        must: [{ multi_match: { query: 'farmers market saturday', fields: ['text^2', 'channelTitle'] } }],
        filter: [{ term: { lang: 'en' } }, { range: { createdAt: { gte: 'now-30d' } } }],
      },
    },
    sort: [{ createdAt: 'desc' }],
    from: 20,
    size: 20,
  },
  facets_highlight: {
    query: { simple_query_string: { query: 'football team +won', fields: ['text'] } },
    aggs: { langs: { terms: { field: 'lang', size: 5 } }, per_day: { date_histogram: { field: 'createdAt', calendar_interval: 'day' } } },
    highlight: { fields: { text: {} } },
    size: 10,
  },
  query_string_nested_bool: {
    query: {
      bool: {
        should: [
          { query_string: { query: 'recipe AND (cake OR pie)', default_field: 'text' } },
          { match_phrase: { text: 'lemon cake' } },
          { prefix: { 'authorId': 'user-1' } },
        ],
        minimum_should_match: 1,
        must_not: [{ term: { type: 'comment' } }],
      },
    },
    _source: ['id', 'text', 'createdAt'],
    track_total_hits: 1000,
    size: 25,
  },
  russian: { query: { match: { text: 'кто идёт в музей в субботу' } }, size: 20 },
  arabic: { query: { match: { text: 'هل سيذهب أحد إلى الحديقة يوم السبت' } }, size: 20 },
};

function medianMicros(fn: () => unknown): number {
  for (let i = 0; i < BATCH; i++) fn(); // warm-up
  const perOp: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < BATCH; i++) fn();
    perOp.push(((performance.now() - t0) * 1000) / BATCH);
  }
  perOp.sort((a, b) => a - b);
  return perOp[Math.floor(perOp.length / 2)] as number;
}

const ctx = { country: 'DE', locale: 'en', recentlyRemovedIds, pendingContentRules: pending };
const results: Record<string, { rewriteUs: number; cloneUs: number; ratio: number }> = {};
console.log(`rewrite bench: ${compiled.rules.length} rules (${shipped.length} shipped), ${recentlyRemovedIds.size} recently removed ids, ${pending.length} pending content rules`);
console.log('body                       guard+rewrite µs   structuredClone µs   ratio');
for (const [name, body] of Object.entries(bodies)) {
  const check = rewriteSearch(compiled, body, ctx);
  if (check.blocked) throw new Error(`bench body ${name} is blocked; pick benign text`);
  const rewriteUs = medianMicros(() => rewriteSearch(compiled, body, ctx));
  const cloneUs = medianMicros(() => structuredClone(body));
  results[name] = { rewriteUs: round(rewriteUs), cloneUs: round(cloneUs), ratio: round(rewriteUs / cloneUs) };
  console.log(`${name.padEnd(27)}${rewriteUs.toFixed(2).padStart(16)}${cloneUs.toFixed(2).padStart(21)}${(rewriteUs / cloneUs).toFixed(2).padStart(8)}`);
}
const blockedUs = medianMicros(() => rewriteSearch(compiled, { query: { match: { text: 'buy c0caine tonight' } } }, ctx));
// A hostile body: 1,000 nested bool clauses (over 20 KB), refused at the depth limit.
let deep: unknown = { match: { text: 'x' } };
for (let i = 0; i < 1000; i++) deep = { bool: { must: [deep] } };
const deepBody = { query: deep };
const deepBytes = JSON.stringify(deepBody).length;
const deepUs = medianMicros(() => {
  try {
    rewriteSearch(compiled, deepBody, ctx);
  } catch {
    return;
  }
  throw new Error('the deep body was not refused');
});
// Patterned searches the block check reads against every blocked word (no fixed prefix: the worst case).
const patternUs = medianMicros(() => rewriteSearch(compiled, { query: { bool: { should: [{ wildcard: { text: '*emon*ake' } }, { match: { text: { query: 'lemon cake', fuzziness: 'AUTO' } } }] } } }, ctx));
const all = Object.values(results);
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const summary = {
  bench: 'rewrite',
  rules: compiled.rules.length,
  medianRewriteUs: medianOf(all.map((r) => r.rewriteUs)),
  medianCloneUs: medianOf(all.map((r) => r.cloneUs)),
  blockedQueryUs: round(blockedUs),
  deepBodyRefusedUs: round(deepUs),
  deepBodyBytes: deepBytes,
  patternedQueryUs: round(patternUs),
  targetUs: 20,
  ratios: { rewriteOverClone: round(medianOf(all.map((r) => r.ratio))) },
  bodies: results,
};
console.log(`median guard+rewrite ${summary.medianRewriteUs} µs (target ≤ ${summary.targetUs} µs), ${summary.ratios.rewriteOverClone}× structuredClone; a blocked query ${summary.blockedQueryUs} µs`);
console.log(`a ${deepBytes}-byte body of 1,000 nested clauses refused in ${summary.deepBodyRefusedUs} µs (target < 1000 µs); a wildcard + fuzzy search checked against every blocked word in ${summary.patternedQueryUs} µs`);
console.log(JSON.stringify(summary));

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
