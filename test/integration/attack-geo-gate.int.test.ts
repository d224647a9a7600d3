import http from 'node:http';
import { Client } from '@elastic/elasticsearch';
import { GeoFieldResolver, filterBody } from '@takedown/search-service';
import { eventually } from '../support/test-context';
import { publishFeatures } from '../support/features';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

/**
 * Attack battery on the People Nearby geo gate, against an index that really
 * has geo_point fields (the ordinary test index has none, so a search let
 * through would find nothing either way). Every attempt from DE must come
 * back either refused (400) or blocked (feature_off, no hits): a 200 with
 * hits is a bypass. FR is the control: the same search finds the document.
 */

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
  p = await startPipeline('attack-geo');
  index = p.ctx.config.contentIndex;
  await p.ctx.es.indices.putMapping({
    index,
    properties: {
      // copy_to: `spot` holds every point of `location` (a second name for the same data; copy_to takes
      // value-type points only, hence the document's "lat,lon" string).
      location: { type: 'geo_point', copy_to: 'spot' },
      spot: { type: 'geo_point' },
      user: { properties: { location: { type: 'geo_point' } } },
      // An alias the platform's mapping may well carry (older clients' name for the field).
      pos: { type: 'alias', path: 'location' },
      user_pos: { type: 'alias', path: 'user.location' },
    },
  });
  await p.ctx.es.index({
    index,
    id: 'geo-1',
    refresh: true,
    document: { id: 'geo-1', type: 'post', text: 'meet me at the bakery', createdAt: new Date().toISOString(), location: '52.5,13.4', user: { location: { lat: 52.5, lon: 13.4 } } },
  });
  proxy = await startSearchProxy(p.ctx.config);
  const version = await publishFeatures(p, p.tokens.lead, { people_nearby: PEOPLE_NEARBY }, 'People Nearby off in DE');
  await eventually(async () => proxy.deps.features.version === version);
});
afterAll(async () => {
  await proxy.stop();
  await p.stop();
});

interface Answer {
  status: number;
  body: any;
  blocked: string | null;
}

async function search(body: unknown, headers: Record<string, string> = {}, endpoint = '_search', method = 'POST'): Promise<Answer> {
  const res = await fetch(`${proxy.url}/${index}/${endpoint}`, {
    method,
    headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), blocked: res.headers.get('x-takedown-blocked') };
}

/** Raw request with headers as given (duplicates kept), for header games. */
function rawSearch(body: unknown, rawHeaders: string[], method = 'POST'): Promise<Answer> {
  const u = new URL(`${proxy.url}/${index}/_search`);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method, headers: [...rawHeaders, 'authorization', `Bearer ${p.tokens.search}`, 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload))] as unknown as http.OutgoingHttpHeaders },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, blocked: (res.headers['x-takedown-blocked'] as string | undefined) ?? null });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const hitsOf = (a: Answer): number => (Array.isArray(a.body?.hits?.hits) ? a.body.hits.hits.length : 0) + (typeof a.body?.count === 'number' ? a.body.count : 0);
/** Neither hits nor aggregation buckets came back: refused (4xx) or blocked. */
const leaked = (a: Answer): boolean => a.status === 200 && a.blocked === null && (hitsOf(a) > 0 || a.body?.aggregations !== undefined);

const DE = { 'x-takedown-country': 'DE' };
const point = { lat: 52.5, lon: 13.4 };

describe('attack: geo gate bypass attempts', () => {
  it('control: the same geo search finds the document in FR and is blocked in DE', async () => {
    const body = { query: { geo_distance: { distance: '2km', location: point } } };
    expect(hitsOf(await search(body, { 'x-takedown-country': 'FR' }))).toBe(1);
    const de = await search(body, DE);
    expect({ status: de.status, blocked: de.blocked, hits: hitsOf(de) }).toEqual({ status: 200, blocked: 'feature_off', hits: 0 });
  });

  it('no body variant reaches a gated geo field from DE', async () => {
    const bodies: Record<string, unknown> = {
      'lat/lon split keys': { query: { geo_distance: { distance: '2km', 'location.lat': 52.5, 'location.lon': 13.4 } } },
      'lat/lon split keys (user.location)': { query: { geo_distance: { distance: '2km', 'user.location.lat': 52.5, 'user.location.lon': 13.4 } } },
      'geohash suffix': { query: { geo_distance: { distance: '2km', 'location.geohash': 'u33db' } } },
      'geohash string point': { query: { geo_distance: { distance: '2km', location: 'u33db' } } },
      'unit option as a second key': { query: { geo_distance: { distance: '2km', location: point, unit: 'km' } } },
      'geo_bounding_box split corners': { query: { geo_bounding_box: { 'location.top_left': 'u33', 'location.bottom_right': 'u33zzz' } } },
      'geo_shape on a geo_point': { query: { geo_shape: { location: { shape: { type: 'envelope', coordinates: [[13, 53], [14, 52]] } } } } },
      geo_grid: { query: { geo_grid: { location: { geotile: '6/34/21' } } } },
      'script query': { query: { script: { script: "doc['location'].lat > 52" } } },
      script_score: { query: { script_score: { query: { match_all: {} }, script: "doc['location'].arcDistance(52.5, 13.4)" } } },
      runtime_mappings: { runtime_mappings: { d: { type: 'double', script: "emit(doc['location'].lat)" } }, query: { range: { d: { gte: 52 } } } },
      'script sort': { sort: [{ _script: { type: 'number', script: "doc['location'].lat" } }] },
      '_geoDistance sort alias': { sort: [{ _geoDistance: { location: point } }] },
      knn: { knn: { field: 'location', query_vector: [1, 2], k: 1, num_candidates: 1 } },
      'distance_feature in a rescore': { rescore: { query: { rescore_query: { distance_feature: { field: 'location', origin: [13.4, 52.5], pivot: '1km' } } } } },
      'geo_distance in post_filter': { post_filter: { geo_distance: { distance: '2km', location: point } } },
      'geo in highlight_query': { highlight: { fields: { text: {} }, highlight_query: { geo_distance: { distance: '2km', location: point } } } },
      'geo in nested sort filter': { sort: [{ createdAt: { order: 'asc', nested: { path: 'user', filter: { geo_distance: { distance: '2km', 'user.location': point } } } } }] },
      'geo in top_hits sort': { size: 0, aggs: { t: { top_hits: { sort: [{ _geo_distance: { location: point } }] } } } },
      'geohex_grid agg': { size: 0, aggs: { g: { geohex_grid: { field: 'location' } } } },
      'geo_line agg': { size: 0, aggs: { g: { geo_line: { point: { field: 'location' }, sort: { field: 'createdAt' } } } } },
      'geo_distance agg': { size: 0, aggs: { g: { geo_distance: { field: 'location', origin: point, ranges: [{ to: 2000 }] } } } },
      'geotile_grid in a filters agg': { size: 0, aggs: { f: { filters: { filters: [{ match_all: {} }] }, aggs: { g: { geotile_grid: { field: 'location' } } } } } },
      'function_score decay in functions': { query: { function_score: { functions: [{ exp: { 'user.location': { origin: point, scale: '1km' } } }], min_score: 0.9 } } },
      'suggest with geo context': { suggest: { s: { prefix: 'b', completion: { field: 'text', contexts: { location: point } } } } },
      'has_child / percolate': { query: { bool: { should: [{ percolate: { field: 'q', document: { location: point } } }] } } },
      'collapse inner_hits': { collapse: { field: 'type', inner_hits: { name: 'x', sort: [{ _geo_distance: { location: point } }] } } },
      'query_string on the field': { query: { query_string: { query: 'location:52.5,13.4' } } },
    };
    const bypasses: string[] = [];
    for (const [name, body] of Object.entries(bodies)) {
      const a = await search(body, DE);
      if (leaked(a)) bypasses.push(name);
    }
    expect(bypasses).toEqual([]);
  });

  it('_count, GET with a body and msearch are gated too', async () => {
    const q = { query: { geo_distance: { distance: '2km', location: point } } };
    const count = await search(q, DE, '_count');
    expect({ blocked: count.blocked, count: count.body.count }).toEqual({ blocked: 'feature_off', count: 0 });
    const get = await rawSearch(q, ['x-takedown-country', 'DE'], 'GET');
    // A GET with a body is refused or blocked, never answered with hits.
    expect(leaked(get)).toBe(false);
    const lines = [{ index }, q, {}, q].map((l) => JSON.stringify(l)).join('\n') + '\n';
    const res = await fetch(`${proxy.url}/${index}/_msearch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.tokens.search}`, 'content-type': 'application/x-ndjson', ...DE },
      body: lines,
    });
    const body = (await res.json()) as { responses: any[] };
    expect(body.responses.map((r) => r.takedown?.category)).toEqual(['feature_off', 'feature_off']);
  });

  it('header games: lower case, whitespace, duplicates, an empty country, odd platforms never reach the field ungated', async () => {
    const q = { query: { geo_distance: { distance: '2km', location: point } } };
    const tries: [string, string[]][] = [
      ['lower case', ['x-takedown-country', 'de']],
      ['padded', ['x-takedown-country', '  DE  ']],
      ['duplicated DE, FR', ['x-takedown-country', 'DE', 'x-takedown-country', 'FR']],
      ['duplicated FR, DE', ['x-takedown-country', 'FR', 'x-takedown-country', 'DE']],
      ['empty', ['x-takedown-country', '']],
      ['platform upper case', ['x-takedown-country', 'DE', 'x-takedown-platform', 'WEB']],
      ['duplicated platform', ['x-takedown-country', 'DE', 'x-takedown-platform', 'ios', 'x-takedown-platform', 'web']],
    ];
    const bypasses: string[] = [];
    for (const [name, headers] of tries) {
      const a = await rawSearch(q, headers);
      if (leaked(a) || a.status >= 500) bypasses.push(`${name}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
    }
    expect(bypasses).toEqual([]);
  });

  // Elasticsearch resolves field aliases (and copy_to fills other fields) before a query runs: the gate resolves
  // the clause's field through the index mapping, or a DE caller reaches `location` under another name.
  it('a geo search through a field alias of a gated field is gated', async () => {
    const a = await search({ query: { geo_distance: { distance: '2km', pos: point } } }, DE);
    expect({ status: a.status, blocked: a.blocked, hits: hitsOf(a) }).toEqual({ status: 200, blocked: 'feature_off', hits: 0 });
    const nested = await search({ query: { geo_distance: { distance: '2km', user_pos: point } } }, DE);
    expect({ status: nested.status, blocked: nested.blocked, hits: hitsOf(nested) }).toEqual({ status: 200, blocked: 'feature_off', hits: 0 });
    // Control: the alias finds the document where the feature is on.
    expect(hitsOf(await search({ query: { geo_distance: { distance: '2km', pos: point } } }, { 'x-takedown-country': 'FR' }))).toBe(1);
  });

  it('a geo search on a field a gated field copies into (copy_to) is gated', async () => {
    const fr = await search({ query: { geo_distance: { distance: '2km', spot: point } } }, { 'x-takedown-country': 'FR' });
    expect(hitsOf(fr)).toBe(1);
    const bodies: Record<string, unknown> = {
      query: { query: { geo_distance: { distance: '2km', spot: point } } },
      'bounding box': { query: { geo_bounding_box: { spot: { top_left: [13, 53], bottom_right: [14, 52] } } } },
      aggregation: { size: 0, aggs: { g: { geotile_grid: { field: 'spot' } } } },
      sort: { sort: [{ _geo_distance: { spot: point } }] },
    };
    const bypasses: string[] = [];
    for (const [name, body] of Object.entries(bodies)) {
      const a = await search(body, DE);
      if (leaked(a) || a.blocked !== 'feature_off') bypasses.push(`${name}: ${a.status} ${a.blocked}`);
    }
    expect(bypasses).toEqual([]);
  });

  it('an alias without X-Takedown-Country needs the country, like the field itself', async () => {
    const a = await search({ query: { geo_distance: { distance: '2km', pos: point } } });
    expect(a.status).toBe(400);
    expect(a.body.error.takedown).toMatchObject({ code: 'country_required', field: 'x-takedown-country', feature: 'people_nearby', path: '/query/geo_distance' });
  });

  it('fails closed when the mapping cannot be read: a gated geo search is a 503, other searches never read it', async () => {
    const dead = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 1000 });
    const deps = { ...proxy.deps, geoFields: new GeoFieldResolver(dead, { ttlMs: 30_000, timeoutMs: 1000 }) };
    try {
      const geo = { query: { geo_distance: { distance: '2km', pos: point } } };
      const err = (await filterBody(deps, geo, { country: 'DE' }, index).catch((e: unknown) => e)) as { status: number; code: string };
      expect([err.status, err.code]).toEqual([503, 'mapping_unavailable']);
      // No gate applies (FR), or no geo clause: the mapping is never read, so Elasticsearch being down does not matter here.
      expect((await filterBody(deps, geo, { country: 'FR' }, index)).blocked).toBe(false);
      expect((await filterBody(deps, { query: { match: { text: 'bakery' } } }, { country: 'DE' }, index)).blocked).toBe(false);
    } finally {
      await dead.close();
    }
  });
});
