import { eventually } from '../support/test-context';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

let p: Pipeline;
let proxy: SearchProxy;
let index: string;

const basis = { text: 'Order of the regional court', reference: 'LG-2026-17' };
const PEOPLE_NEARBY = {
  description: 'Find users near you',
  default: 'on',
  failMode: 'closed',
  rules: [{ id: 'de-off', countries: ['DE'], state: 'off', reason: 'court order', legalBasis: basis }],
  enforcement: { search: { geoFields: ['location', 'user.location'] } },
};

beforeAll(async () => {
  p = await startPipeline('search-features');
  index = p.ctx.config.contentIndex;
  proxy = await startSearchProxy(p.ctx.config);
  expect((await p.call('PUT', '/v1/features/draft/people_nearby', p.tokens.lead, PEOPLE_NEARBY)).status).toBe(201);
  const pub = await p.call('POST', '/v1/features/publish', p.tokens.lead, { note: 'People Nearby off in DE' });
  expect(pub.status).toBe(201);
  await eventually(async () => proxy.deps.features.version === pub.body.version);
});
afterAll(async () => {
  await proxy.stop();
  await p.stop();
});

async function search(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; blocked: string | null }> {
  const res = await fetch(`${proxy.url}/${index}/_search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), blocked: res.headers.get('x-takedown-blocked') };
}

// ignore_unmapped: the test index has no geo field, so a search let through finds nothing rather than failing.
const near = (field = 'location') => ({ geo_distance: { distance: '2km', [field]: { lat: 52.5, lon: 13.4 }, ignore_unmapped: true } });

describe('search service: geo searches gated by feature switches', () => {
  it('refuses a geo search where the switch is off (DE), with the feature, rule and clause; lets it through where on (FR)', async () => {
    const de = await search({ query: near() }, { 'x-takedown-country': 'DE' });
    expect(de.status).toBe(200);
    expect(de.blocked).toBe('feature_off');
    expect(de.body.hits.hits).toEqual([]);
    expect(de.body.takedown).toEqual({
      blocked: true,
      category: 'feature_off',
      reason: 'people_nearby is off in DE: court order',
      ruleId: 'de-off',
      feature: 'people_nearby',
      path: '/query/geo_distance',
      legalReference: 'LG-2026-17',
    });
    const fr = await search({ query: near() }, { 'x-takedown-country': 'FR' });
    expect(fr.status).toBe(200);
    expect(fr.blocked).toBeNull();
    expect(fr.body.takedown).toBeUndefined();
    expect(fr.body.hits).toBeDefined();
  });

  it('lets non-geo searches and geo searches on ungated fields through in DE', async () => {
    expect((await search({ query: { match: { text: 'bread' } } }, { 'x-takedown-country': 'DE' })).blocked).toBeNull();
    expect((await search({ query: near('venue.location') }, { 'x-takedown-country': 'DE' })).blocked).toBeNull();
  });

  it('catches geo clauses nested in bool, nested, function_score, aggregations and sorts', async () => {
    const bodies: [unknown, string][] = [
      [{ query: { bool: { filter: [{ match: { text: 'x' } }, { bool: { should: [near('user.location')] } }] } } }, '/query/bool/filter/1/bool/should/0/geo_distance'],
      [{ query: { constant_score: { filter: { geo_bounding_box: { location: { top_left: [13, 53], bottom_right: [14, 52] }, ignore_unmapped: true } } } } }, '/query/constant_score/filter/geo_bounding_box'],
      [{ query: { geo_polygon: { location: { points: [[13, 52], [14, 52], [14, 53]] }, ignore_unmapped: true } } }, '/query/geo_polygon'],
      [{ query: { function_score: { query: { match_all: {} }, functions: [{ gauss: { location: { origin: '52.5,13.4', scale: '1km' } } }] } } }, '/query/function_score'],
      [{ size: 0, aggs: { grid: { geohash_grid: { field: 'location', precision: 5 } } } }, '/aggs/grid/geohash_grid'],
      [{ size: 0, aggs: { by: { terms: { field: 'type' }, aggs: { tiles: { geotile_grid: { field: 'user.location' } } } } } }, '/aggs/by/aggs/tiles/geotile_grid'],
      [{ size: 0, aggs: { c: { geo_centroid: { field: 'location' } } } }, '/aggs/c/geo_centroid'],
      [{ size: 0, aggs: { b: { geo_bounds: { field: 'location' } } } }, '/aggs/b/geo_bounds'],
      [{ size: 0, aggs: { f: { filter: near() } } }, '/aggs/f/filter/geo_distance'],
      [{ size: 0, aggs: { comp: { composite: { sources: [{ tile: { geotile_grid: { field: 'location', precision: 8 } } }] } } } }, '/aggs/comp/composite'],
      [{ sort: [{ _geo_distance: { location: { lat: 52.5, lon: 13.4 }, order: 'asc', ignore_unmapped: true } }] }, '/sort/0/_geo_distance'],
      [{ query: { distance_feature: { field: 'location', origin: [13.4, 52.5], pivot: '1km' } } }, '/query/distance_feature'],
    ];
    for (const [body, path] of bodies) {
      const r = await search(body, { 'x-takedown-country': 'DE' });
      expect({ path, status: r.status, blocked: r.blocked, at: r.body.takedown?.path }).toEqual({ path, status: 200, blocked: 'feature_off', at: path });
    }
  });

  it('refuses geo searches the guard does not read at all (geo_shape) whatever the country', async () => {
    const r = await search({ query: { geo_shape: { location: { shape: { type: 'point', coordinates: [13, 52] } } } } }, { 'x-takedown-country': 'FR' });
    expect(r.status).toBe(400);
    expect(r.body.error.takedown.field).toBe('/query/geo_shape');
  });

  it('fails closed without a country: a geo search on a gated field is a 400 naming the header; a bad country or platform is a 400', async () => {
    const none = await search({ query: near() });
    expect(none.status).toBe(400);
    expect(none.body.error.takedown).toMatchObject({ code: 'country_required', field: 'x-takedown-country', feature: 'people_nearby', path: '/query/geo_distance' });
    // Without a country, searches that read no gated field are unaffected.
    expect((await search({ query: { match: { text: 'bread' } } })).status).toBe(200);
    const bad = await search({ query: near() }, { 'x-takedown-country': 'XX' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.takedown.field).toBe('x-takedown-country');
    const badPlatform = await search({ query: near() }, { 'x-takedown-country': 'FR', 'x-takedown-platform': 'palm' });
    expect(badPlatform.status).toBe(400);
    expect(badPlatform.body.error.takedown.field).toBe('x-takedown-platform');
  });

  it('follows a publish: a platform-scoped rule (DE web on) lets the web through; msearch lines are gated one by one', async () => {
    const rules = [...PEOPLE_NEARBY.rules, { id: 'de-web-on', countries: ['DE'], platforms: ['web'], state: 'on', reason: 'web has no location', legalBasis: basis }];
    expect((await p.call('PUT', '/v1/features/draft/people_nearby', p.tokens.lead, { ...PEOPLE_NEARBY, rules })).status).toBe(200);
    const pub = await p.call('POST', '/v1/features/publish', p.tokens.lead, { note: 'web on in DE' });
    expect(pub.status).toBe(201);
    await eventually(async () => proxy.deps.features.version === pub.body.version);
    expect((await search({ query: near() }, { 'x-takedown-country': 'DE', 'x-takedown-platform': 'web' })).blocked).toBeNull();
    expect((await search({ query: near() }, { 'x-takedown-country': 'DE', 'x-takedown-platform': 'ios' })).blocked).toBe('feature_off');

    const lines = [{ index }, { query: near() }, { index }, { query: { match: { text: 'bread' } } }].map((l) => JSON.stringify(l)).join('\n') + '\n';
    const res = await fetch(`${proxy.url}/_msearch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/x-ndjson', 'x-takedown-country': 'DE' },
      body: lines,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { responses: any[] };
    expect(body.responses[0].takedown).toMatchObject({ blocked: true, category: 'feature_off', feature: 'people_nearby' });
    expect(body.responses[1].takedown).toBeUndefined();
  });

  it('takes the fail mode when the snapshot is stale: failMode closed refuses geo searches in FR too', async () => {
    const stale = await startSearchProxy(p.ctx.config, { maxStalenessMs: 1 });
    try {
      // The ruleset check would answer 503 on a stale ruleset: give it room, and let only the features client go stale.
      (stale.deps.config as { maxStalenessMs: number }).maxStalenessMs = 60_000;
      await eventually(async () => stale.deps.features.version !== undefined);
      expect(stale.deps.features.decide('people_nearby', { country: 'FR' }).source).toBe('fail_mode');
      const res = await fetch(`${stale.url}/${index}/_search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json', 'x-takedown-country': 'FR' },
        body: JSON.stringify({ query: near() }),
      });
      const body = (await res.json()) as any;
      expect({ status: res.status, takedown: body.takedown }).toMatchObject({ status: 200, takedown: { category: 'feature_off', ruleId: 'fail_mode:people_nearby', feature: 'people_nearby' } });
    } finally {
      await stale.stop();
    }
  });
});
