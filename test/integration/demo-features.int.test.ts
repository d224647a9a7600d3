import { DEMO_FEATURES, publishDemoFeatures } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

let p: Pipeline;
let proxy: SearchProxy;

beforeAll(async () => {
  p = await startPipeline('demo-features');
  proxy = await startSearchProxy(p.ctx.config);
});
afterAll(async () => {
  await proxy.stop();
  await p.stop();
});

describe('npm start: the demo feature switches', () => {
  it('publishes them once through the API (a restart keeps later edits), and every enforcement point obeys', async () => {
    const asLead = (method: string, path: string, body?: unknown) => p.call(method, path, p.tokens.lead, body);
    const version = await publishDemoFeatures(asLead);
    expect(version).toEqual(expect.any(Number));
    expect(await publishDemoFeatures(asLead)).toBeUndefined();

    const live = (await p.call('GET', '/v1/features', p.tokens.legal)).body;
    expect(live.features.map((f: { key: string }) => f.key).sort()).toEqual(DEMO_FEATURES.map((f) => f.key).sort());
    for (const f of live.features) for (const r of f.rules) expect(r).toMatchObject({ reason: expect.any(String), legalBasis: { text: expect.any(String), reference: expect.any(String) } });

    const state = async (country: string) => {
      const r = await p.call('GET', `/v1/features/evaluate?country=${country}&platform=ios`, p.tokens.service);
      return Object.fromEntries(r.body.features.map((f: { key: string; state: string }) => [f.key, f.state]));
    };
    expect(await state('FR')).toEqual({ people_nearby: 'off', telegraph_media_upload: 'off', live_streams: 'on' });
    expect(await state('BR')).toEqual({ people_nearby: 'off', telegraph_media_upload: 'off', live_streams: 'off' });

    // The printed curl lines: a geo search refused, an upload refused.
    await eventually(async () => proxy.deps.features.version === version);
    const res = await fetch(`${proxy.url}/${p.ctx.config.contentIndex}/_search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.tokens.search}`, 'x-takedown-country': 'DE', 'content-type': 'application/json' },
      body: JSON.stringify({ query: { geo_distance: { distance: '2km', location: { lat: 52.52, lon: 13.4 }, ignore_unmapped: true } } }),
    });
    expect(((await res.json()) as { takedown: unknown }).takedown).toMatchObject({ blocked: true, category: 'feature_off', feature: 'people_nearby', ruleId: 'off-everywhere' });
    const up = await p.call('POST', '/v1/uploads/check', p.tokens.service, { feature: 'telegraph_media_upload', country: 'FR', accountId: 'u1', media: { sha256: '0'.repeat(64), size: 1024, mime: 'image/png' } });
    expect(up.body).toMatchObject({ allow: false, reason: 'feature_off' });
  });
});
