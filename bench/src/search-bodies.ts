/** The search bodies the search benchmarks send: en/ru/ar text, filters, a facet, a sort. */
export const SEARCH_BODIES: readonly Record<string, unknown>[] = [
  { query: { match: { text: 'birthday dinner museum' } }, size: 20 },
  { query: { bool: { must: [{ multi_match: { query: 'farmers market saturday', fields: ['text'] } }], filter: [{ term: { lang: 'en' } }] } }, size: 20, sort: [{ createdAt: 'desc' }] },
  { query: { simple_query_string: { query: 'football team +won', fields: ['text'] } }, aggs: { langs: { terms: { field: 'lang' } } }, size: 10 },
  { query: { match: { text: 'кто идёт в музей' } }, size: 20 },
  { query: { match: { text: 'هل سيذهب أحد إلى الحديقة' } }, size: 20 },
];
