import { connectFeatureClient, type FeatureClient } from '@takedown/features';
import { eventually } from '../support/test-context';
import { startBlackHole, type BlackHole } from '../support/black-hole';
import { startPipeline, type Pipeline } from '../support/pipeline';

let p: Pipeline;
const clients: (FeatureClient & { close(): Promise<void> })[] = [];
const holes: BlackHole[] = [];

const basis = { text: 'Order of the regional court', reference: 'LG-2026-17' };
const peopleNearby = (rules: unknown[], over: Record<string, unknown> = {}) => ({ description: 'Find users near you', default: 'on', failMode: 'closed', rules, ...over });
const DE_OFF = { id: 'de-off', countries: ['DE'], state: 'off', reason: 'court order', legalBasis: basis };
const DE_WEB_ON = { id: 'de-web-on', countries: ['DE'], platforms: ['web'], state: 'on', reason: 'web has no location', legalBasis: basis };

async function client(o: { redisUrl?: string; maxStalenessMs?: number } = {}) {
  const c = await connectFeatureClient({ redisUrl: o.redisUrl ?? p.ctx.config.redis.url, queuePrefix: p.ctx.config.queuePrefix, maxStalenessMs: o.maxStalenessMs ?? 5000, pollMs: 100 });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  p = await startPipeline('features');
});
afterAll(async () => {
  for (const c of clients) await c.close();
  for (const h of holes) await h.close();
  await p.stop();
});

async function publish(note: string): Promise<number> {
  const r = await p.call('POST', '/v1/features/publish', p.tokens.lead, { note });
  expect(r.status).toBe(201);
  return r.body.version as number;
}

async function auditEvents(type: string): Promise<any[]> {
  await p.ctx.es.indices.refresh({ index: p.deps.indices.audit });
  const r = await p.ctx.es.search({ index: p.deps.indices.audit, query: { term: { type } }, size: 100, sort: [{ seq: 'asc' }] });
  return r.hits.hits.map((h) => h._source);
}

describe('feature switches', () => {
  it('refuses bad input with a 4xx naming the field', async () => {
    const put = (key: string, body: unknown) => p.call('PUT', `/v1/features/draft/${key}`, p.tokens.legal, body);
    const cases: [Promise<{ status: number; body: any }>, number, string][] = [
      [put('people_nearby', peopleNearby([{ ...DE_OFF, countries: ['DE', 'QQ'] }])), 400, '/rules/0/countries/1'],
      [put('people_nearby', peopleNearby([{ ...DE_OFF, expiresAt: '2020-01-01T00:00:00Z' }])), 400, '/rules/0/expiresAt'],
      [put('people_nearby', peopleNearby([DE_OFF, DE_OFF])), 400, '/rules/1/id'],
      [put('people_nearby', peopleNearby([{ ...DE_OFF, platforms: ['palm'] }])), 400, '/rules/0/platforms/0'],
      [put('People-Nearby', peopleNearby([])), 400, '/featureKey'],
      [put('people_nearby', { ...peopleNearby([]), key: 'other' }), 400, '/key'],
      [p.call('DELETE', '/v1/features/draft/no_such_feature', p.tokens.lead), 404, 'featureKey'],
      [p.call('POST', '/v1/features/publish', p.tokens.lead, {}), 400, '/note'],
      [p.call('POST', '/v1/features/rollback', p.tokens.lead, { version: 999, note: 'x' }), 404, '/version'],
      [p.call('GET', '/v1/features/evaluate?country=XX&platform=ios', p.tokens.service), 400, '/country'],
      [p.call('GET', '/v1/features/evaluate?country=DE&platform=ios&accountAgeDays=-1', p.tokens.service), 400, '/accountAgeDays'],
      [p.call('GET', '/v1/features/evaluate?country=DE', p.tokens.service), 400, '/platform'],
      [p.call('GET', '/v1/features/evaluate?country=DE&platform=ios&feature=no_such_feature', p.tokens.search), 404, '/feature'],
    ];
    for (const [call, status, field] of cases) {
      const r = await call;
      expect({ status: r.status, field: r.body.error?.field }).toEqual({ status, field });
    }
  });

  it('publishes to every client instance, evaluates through the API, previews which countries change, audits, rolls back', async () => {
    const many = await Promise.all([1, 2, 3, 4].map(() => client()));
    // The first version: People Nearby off in Germany except on the web (more specific), uploads off everywhere.
    expect((await p.call('PUT', '/v1/features/draft/people_nearby', p.tokens.lead, peopleNearby([DE_OFF, DE_WEB_ON]))).status).toBe(201);
    expect(
      (await p.call('PUT', '/v1/features/draft/telegraph_media_upload', p.tokens.legal, { description: 'Media uploads', default: 'off', failMode: 'closed', rules: [] })).status,
    ).toBe(201);
    const preview = await p.call('GET', '/v1/features/preview', p.tokens.admin);
    expect(preview.status).toBe(200);
    const pn = preview.body.features.find((f: any) => f.key === 'people_nearby');
    // Not published before: every cell changes from absent; in Germany the off rule decides except on the web.
    expect(pn.status).toBe('added');
    expect(pn.changes.filter((c: any) => c.country === 'DE')).toEqual([
      { country: 'DE', platforms: ['ios', 'android', 'desktop', 'api'], from: 'absent', to: 'off', decidedBy: 'de-off' },
      { country: 'DE', platforms: ['web'], from: 'absent', to: 'on', decidedBy: 'de-web-on' },
    ]);
    const v1 = await publish('People Nearby off in DE; uploads off');
    await eventually(async () => many.every((c) => c.version === v1));
    for (const c of many) {
      expect(c.decide('people_nearby', { country: 'DE', platform: 'ios' })).toMatchObject({ state: 'off', rule: { id: 'de-off', legalReference: 'LG-2026-17' } });
      expect(c.isOn('people_nearby', { country: 'DE', platform: 'web' })).toBe(true);
      expect(c.isOn('people_nearby', { country: 'FR', platform: 'ios' })).toBe(true);
      expect(c.isOn('telegraph_media_upload', { country: 'FR', platform: 'ios' })).toBe(false);
    }

    // The API answers the same, with the snapshot version.
    const ev = await p.call('GET', '/v1/features/evaluate?country=DE&platform=ios', p.tokens.service);
    expect(ev.status).toBe(200);
    expect(ev.body.version).toBe(v1);
    expect(ev.body.features).toEqual(
      expect.arrayContaining([
        { key: 'people_nearby', state: 'off', on: false, source: 'rule', rule: { id: 'de-off', reason: 'court order', legalReference: 'LG-2026-17' } },
        { key: 'telegraph_media_upload', state: 'off', on: false, source: 'default' },
      ]),
    );

    // A conflicting rule: equal specificity, opposite state, overlapping: off wins, and the preview says so.
    const IOS_ON = { id: 'ios-on', platforms: ['ios'], state: 'on', reason: 'ios test', legalBasis: basis };
    expect((await p.call('PUT', '/v1/features/draft/people_nearby', p.tokens.lead, peopleNearby([DE_OFF, DE_WEB_ON, IOS_ON, { id: 'fr-off', countries: ['FR'], state: 'off', reason: 'decree', legalBasis: basis }]))).status).toBe(200);
    const preview2 = (await p.call('GET', '/v1/features/preview', p.tokens.legal)).body;
    const pn2 = preview2.features.find((f: any) => f.key === 'people_nearby');
    expect(pn2.status).toBe('changed');
    expect(pn2.countriesChanged).toEqual(['FR']);
    expect(pn2.conflicts).toEqual(expect.arrayContaining([{ rules: ['de-off', 'ios-on'], specificity: 1, winner: 'de-off' }, { rules: ['fr-off', 'ios-on'], specificity: 1, winner: 'fr-off' }]));
    expect(preview2.diff).toEqual({ added: [], removed: [], changed: [{ id: 'people_nearby', fields: ['rules'] }] });
    const v2 = await publish('People Nearby off in FR too');
    await eventually(async () => many.every((c) => c.version === v2));
    for (const c of many) expect(c.decide('people_nearby', { country: 'FR', platform: 'ios' })).toMatchObject({ state: 'off', rule: { id: 'fr-off' } });

    // History and audit.
    const history = (await p.call('GET', '/v1/features/versions', p.tokens.legal)).body;
    expect(history.current).toBe(v2);
    expect(history.versions[0]).toMatchObject({ version: v2, note: 'People Nearby off in FR too', diff: { changed: [{ id: 'people_nearby', fields: ['rules'] }] } });
    const published = await eventually(async () => {
      const events = await auditEvents('features.published');
      return events.length >= 2 && events;
    });
    expect(published.map((e) => e.data.version)).toEqual([v1, v2]);
    expect(published[1]).toMatchObject({ data: { previous: v1, note: 'People Nearby off in FR too', countriesChanged: { people_nearby: ['FR'] } } });
    expect(typeof published[1].actor).toBe('string');

    // Rollback re-publishes v1 as a new version: every client goes back, the draft follows.
    const rb = await p.call('POST', '/v1/features/rollback', p.tokens.admin, { version: v1, note: 'the FR decree was withdrawn' });
    expect(rb.status).toBe(201);
    const v3 = rb.body.version as number;
    await eventually(async () => many.every((c) => c.version === v3));
    for (const c of many) expect(c.isOn('people_nearby', { country: 'FR', platform: 'ios' })).toBe(true);
    expect((await p.call('GET', '/v1/features/draft', p.tokens.lead)).body.features.find((f: any) => f.key === 'people_nearby').rules.map((r: any) => r.id)).toEqual(['de-off', 'de-web-on']);
    const rolled = await eventually(async () => (await auditEvents('features.rolled_back'))[0]);
    expect(rolled).toMatchObject({ data: { version: v3, rollbackOf: v1, previous: v2 } });
    // Nothing changed since: publishing the same again is a 409.
    expect((await p.call('POST', '/v1/features/publish', p.tokens.lead, { note: 'again' })).status).toBe(409);
  });

  it('keeps the last snapshot while Redis hangs, until the staleness limit, then answers each feature\'s fail mode', async () => {
    await eventually(async () => (await p.call('GET', '/v1/features', p.tokens.lead)).body.version);
    // One feature fails open, the other closed; both on in FR while Redis answers.
    expect((await p.call('PUT', '/v1/features/draft/fail_open_demo', p.tokens.lead, { description: 'd', default: 'off', failMode: 'open', rules: [] })).status).toBe(201);
    expect((await p.call('PUT', '/v1/features/draft/telegraph_media_upload', p.tokens.lead, { description: 'Media uploads', default: 'on', failMode: 'closed', rules: [] })).status).toBe(200);
    const version = await publish('fail modes');
    const hole = await startBlackHole(p.ctx.config.redis.url);
    holes.push(hole);
    const c = await client({ redisUrl: hole.url, maxStalenessMs: 3000 });
    await eventually(async () => c.version === version && !c.stale);
    hole.mode = 'hang';
    // The snapshot is kept: the states are the published ones, not the fail modes.
    expect(c.decide('telegraph_media_upload', { country: 'FR', platform: 'ios' })).toMatchObject({ state: 'on', source: 'default' });
    expect(c.decide('fail_open_demo', { country: 'FR', platform: 'ios' })).toMatchObject({ state: 'off', source: 'default' });
    await eventually(async () => c.stale);
    expect(c.decide('telegraph_media_upload', { country: 'FR', platform: 'ios' })).toMatchObject({ state: 'off', source: 'fail_mode' });
    expect(c.decide('fail_open_demo', { country: 'FR', platform: 'ios' })).toMatchObject({ state: 'on', source: 'fail_mode' });
    expect(c.evaluate({ country: 'FR', platform: 'ios' })).toMatchObject({ version, stale: true });
    // An unknown key still answers, never throws.
    expect(c.decide('no_such_feature', { country: 'FR' })).toMatchObject({ state: 'off', source: 'unknown_feature', reason: 'unknown_feature' });
  });

  it('refuses to publish a rule that expired after it was written, naming it', async () => {
    const expiresAt = new Date(Date.now() + 1000).toISOString();
    expect((await p.call('PUT', '/v1/features/draft/short_lived', p.tokens.lead, peopleNearby([{ ...DE_OFF, expiresAt }]))).status).toBe(201);
    // Wait out the rule (no assertion on time: only that it has passed).
    while (Date.now() <= Date.parse(expiresAt)) await new Promise((r) => setTimeout(r, 50));
    const r = await p.call('POST', '/v1/features/publish', p.tokens.lead, { note: 'too late' });
    expect([r.status, r.body.error.code, r.body.error.field]).toEqual([400, 'rule_expired', '/features/short_lived/rules/0/expiresAt']);
    expect((await p.call('DELETE', '/v1/features/draft/short_lived', p.tokens.lead)).status).toBe(204);
  });

  it('answers the fallbacks when Redis cannot be reached at all', async () => {
    const c = await client({ redisUrl: 'redis://127.0.0.1:1', maxStalenessMs: 1000 });
    expect(c.version).toBeUndefined();
    expect(c.decide('people_nearby', { country: 'DE', platform: 'ios' })).toMatchObject({ state: 'off', source: 'unknown_feature', reason: 'no_snapshot' });
  });
});
