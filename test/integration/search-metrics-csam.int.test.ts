import { testing } from '@takedown/search-rules';
import { PIPELINE_RULES, startPipeline, type Pipeline } from '../support/pipeline';
import { scrapeValue } from '../support/prometheus-text';
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
});
