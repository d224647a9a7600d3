import { testing } from '@takedown/search-rules';
import { PIPELINE_RULES, startPipeline, type Pipeline } from '../support/pipeline';
import { parsePrometheusText, scrapeValue } from '../support/prometheus-text';
import { startSearchProxy } from '../support/search-proxy';

// The search service's blocked-search counts: a csam block_query rule's
// count is figures about restricted material, shown (as the moderation API
// does with its csam figures) only to a scraper holding the csam grant.
let p: Pipeline;

beforeAll(async () => {
  p = await startPipeline('search-metrics-csam', {
    rules: [...PIPELINE_RULES, testing.rule('live-csam-term', 'livecsamword', { category: 'csam', scope: ['query'], action: 'block_query' })],
  });
});
afterAll(async () => {
  await p.stop();
});

/** One scrape of the search service at `url` with `token`. */
async function scrape(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return res.text();
}

/** One search (or count) for `text`; its X-Takedown-Blocked. */
async function query(url: string, text: string, endpoint = '_search'): Promise<string | null> {
  const res = await fetch(`${url}/${p.ctx.config.contentIndex}/${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query: { match: { text } } }),
    signal: AbortSignal.timeout(10_000),
  });
  await res.text();
  return res.headers.get('x-takedown-blocked');
}

describe('search metrics: csam blocks only for a scraper with the grant', () => {
  it('counts a search blocked by a csam rule under takedown_search_blocked_total for a cleared admin, and shows no csam sample to a metrics token or an admin without the grant', async () => {
    const search = await startSearchProxy(p.ctx.config);
    try {
      expect(await query(search.url, 'livecsamword')).toBe('csam');
      expect(await query(search.url, 'cocaine')).toBe('drugs');
      for (const token of [p.tokens.metrics, p.tokens.admin]) {
        const text = await scrape(search.url, token);
        expect(text).not.toContain('csam');
        expect(scrapeValue(text, 'takedown_search_blocked_total', { category: 'drugs' })).toBe(1);
      }
      const cleared = await scrape(search.url, p.tokens.csamAdmin);
      expect(scrapeValue(cleared, 'takedown_search_blocked_total', { category: 'csam', rule: 'live-csam-term' })).toBe(1);
      expect(scrapeValue(cleared, 'takedown_search_blocked_total', { category: 'drugs' })).toBe(1);
    } finally {
      await search.stop();
    }
  });

  it('a csam block moves none of the search families for a scraper without the grant (request counts, latency by outcome, rewrite and upstream timings would give its number by subtraction); the cleared scraper sees it', async () => {
    const search = await startSearchProxy(p.ctx.config);
    try {
      /** Every takedown_search_* sample but the scrapes' own, as `name{labels} value` lines. */
      const searchSamples = (text: string) =>
        [...parsePrometheusText(text).values()]
          .filter((f) => f.name.startsWith('takedown_search_'))
          .flatMap((f) => f.samples.filter((s) => s.labels['endpoint'] !== '/metrics').map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`))
          .sort();
      // Every family present before (one answered search, one blocked, one count).
      expect(await query(search.url, 'bread')).toBeNull();
      expect(await query(search.url, 'cocaine')).toBe('drugs');
      expect(await query(search.url, 'bread', '_count')).toBeNull();
      const before = await Promise.all([scrape(search.url, p.tokens.metrics), scrape(search.url, p.tokens.admin), scrape(search.url, p.tokens.csamAdmin)]);
      expect(await query(search.url, 'livecsamword')).toBe('csam');
      expect(await query(search.url, 'livecsamword', '_count')).toBe('csam');
      const after = await Promise.all([scrape(search.url, p.tokens.metrics), scrape(search.url, p.tokens.admin), scrape(search.url, p.tokens.csamAdmin)]);
      expect(searchSamples(after[0]!)).toEqual(searchSamples(before[0]!));
      expect(searchSamples(after[1]!)).toEqual(searchSamples(before[1]!));
      const blocked = (text: string, endpoint: string) => scrapeValue(text, 'takedown_search_request_duration_seconds_count', { endpoint, outcome: 'blocked' }) ?? 0;
      expect([blocked(after[2]!, '_search') - blocked(before[2]!, '_search'), blocked(after[2]!, '_count') - blocked(before[2]!, '_count')]).toEqual([1, 1]);
      const rewrites = (text: string) => scrapeValue(text, 'takedown_search_rewrite_seconds_count') ?? 0;
      expect(rewrites(after[2]!) - rewrites(before[2]!)).toBe(2);

      // msearch: csam lines alone are not seen; beside a line that went on, the request is an answered one.
      const msearch = async (...texts: string[]) => {
        const res = await fetch(`${search.url}/${p.ctx.config.contentIndex}/_msearch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/x-ndjson' },
          body: texts.map((text) => `{}\n${JSON.stringify({ query: { match: { text } } })}\n`).join(''),
          signal: AbortSignal.timeout(10_000),
        });
        await res.text();
        return res.headers.get('x-takedown-blocked');
      };
      expect(await msearch('livecsamword', 'livecsamword')).toBe('partial');
      const afterAlone = await scrape(search.url, p.tokens.metrics);
      expect(searchSamples(afterAlone)).toEqual(searchSamples(after[0]!));
      expect(await msearch('livecsamword', 'bread')).toBe('partial');
      const afterMixed = await scrape(search.url, p.tokens.metrics);
      const msearchCount = (text: string, outcome: string) => scrapeValue(text, 'takedown_search_request_duration_seconds_count', { endpoint: '_msearch', outcome }) ?? 0;
      expect([msearchCount(afterMixed, 'ok'), msearchCount(afterMixed, 'blocked')]).toEqual([1, 0]);
      const rewritesShown = (text: string) => scrapeValue(text, 'takedown_search_rewrite_seconds_count') ?? 0;
      expect(rewritesShown(afterMixed) - rewritesShown(afterAlone)).toBe(1);
    } finally {
      await search.stop();
    }
  });
});
