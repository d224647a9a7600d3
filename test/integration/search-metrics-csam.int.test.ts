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

describe('search metrics: csam blocks only for a scraper with the grant', () => {
  it('counts a search blocked by a csam rule under takedown_search_blocked_total for a cleared admin, and shows no csam sample to a metrics token or an admin without the grant', async () => {
    const search = await startSearchProxy(p.ctx.config);
    try {
      const scrape = async (token: string) => {
        const res = await fetch(`${search.url}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
        expect(res.status).toBe(200);
        return res.text();
      };
      const query = async (text: string) => {
        const res = await fetch(`${search.url}/${p.ctx.config.contentIndex}/_search`, {
          method: 'POST',
          headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: { match: { text } } }),
          signal: AbortSignal.timeout(10_000),
        });
        expect(res.headers.get('x-takedown-blocked')).not.toBeNull();
        await res.text();
      };
      await query('livecsamword');
      await query('cocaine');
      for (const token of [p.tokens.metrics, p.tokens.admin]) {
        const text = await scrape(token);
        expect(text).not.toContain('csam');
        expect(scrapeValue(text, 'takedown_search_blocked_total', { category: 'drugs' })).toBe(1);
      }
      const cleared = await scrape(p.tokens.csamAdmin);
      expect(scrapeValue(cleared, 'takedown_search_blocked_total', { category: 'csam', rule: 'live-csam-term' })).toBe(1);
      expect(scrapeValue(cleared, 'takedown_search_blocked_total', { category: 'drugs' })).toBe(1);
    } finally {
      await search.stop();
    }
  });

  it('a csam block moves none of the search families for a scraper without the grant (request counts, latency by outcome, rewrite and upstream timings would give its number by subtraction); the cleared scraper sees it', async () => {
    const search = await startSearchProxy(p.ctx.config);
    try {
      const scrape = async (token: string) => {
        const res = await fetch(`${search.url}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
        expect(res.status).toBe(200);
        return res.text();
      };
      /** Every takedown_search_* sample but the scrapes' own, as `name{labels} value` lines. */
      const searchSamples = (text: string) =>
        [...parsePrometheusText(text).values()]
          .filter((f) => f.name.startsWith('takedown_search_'))
          .flatMap((f) => f.samples.filter((s) => s.labels['endpoint'] !== '/metrics').map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`))
          .sort();
      const query = async (text: string, endpoint = '_search') => {
        const res = await fetch(`${search.url}/${p.ctx.config.contentIndex}/${endpoint}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json' },
          body: JSON.stringify({ query: { match: { text } } }),
          signal: AbortSignal.timeout(10_000),
        });
        await res.text();
        return res.headers.get('x-takedown-blocked');
      };
      // Every family present before (one answered search, one blocked, one count).
      expect(await query('bread')).toBeNull();
      expect(await query('cocaine')).toBe('drugs');
      expect(await query('bread', '_count')).toBeNull();
      const before = await Promise.all([scrape(p.tokens.metrics), scrape(p.tokens.admin), scrape(p.tokens.csamAdmin)]);
      expect(await query('livecsamword')).toBe('csam');
      expect(await query('livecsamword', '_count')).toBe('csam');
      const after = await Promise.all([scrape(p.tokens.metrics), scrape(p.tokens.admin), scrape(p.tokens.csamAdmin)]);
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
      const afterAlone = await scrape(p.tokens.metrics);
      expect(searchSamples(afterAlone)).toEqual(searchSamples(after[0]!));
      expect(await msearch('livecsamword', 'bread')).toBe('partial');
      const afterMixed = await scrape(p.tokens.metrics);
      const msearchCount = (text: string, outcome: string) => scrapeValue(text, 'takedown_search_request_duration_seconds_count', { endpoint: '_msearch', outcome }) ?? 0;
      expect([msearchCount(afterMixed, 'ok'), msearchCount(afterMixed, 'blocked')]).toEqual([1, 0]);
      const rewritesShown = (text: string) => scrapeValue(text, 'takedown_search_rewrite_seconds_count') ?? 0;
      expect(rewritesShown(afterMixed) - rewritesShown(afterAlone)).toBe(1);
    } finally {
      await search.stop();
    }
  });
});
