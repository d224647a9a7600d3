import type { Client, estypes } from '@elastic/elasticsearch';

/**
 * Up to `limit` hits' sources matching `query`, a page at a time in `sort`
 * order (a unique field, so search_after neither skips nor repeats);
 * `more` when there were more. Callers that must not act on part of a set
 * (a report over a period) refuse on `more` rather than use the part.
 */
export async function scanSorted<T>(
  es: Client,
  index: string,
  query: estypes.QueryDslQueryContainer,
  sort: string,
  source: readonly string[],
  limit: number,
  page = 1000,
): Promise<{ records: T[]; more: boolean }> {
  const records: T[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    const r = await es.search<T>({
      index,
      size: Math.min(page, limit + 1 - records.length),
      query,
      sort: [{ [sort]: 'asc' }],
      _source: { includes: [...source] },
      ...(after ? { search_after: after } : {}),
    });
    for (const h of r.hits.hits) records.push(h._source as T);
    if (records.length > limit) return { records: records.slice(0, limit), more: true };
    const last = r.hits.hits[r.hits.hits.length - 1];
    if (!last || r.hits.hits.length < page) return { records, more: false };
    after = last.sort;
  }
}
