import { Client } from '@elastic/elasticsearch';
import { normalize } from '@takedown/search-rules';
import { caseIdFor, type ContentDocument } from '@takedown/shared';
import { eventually } from '../support/test-context';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

let p: Pipeline;
let proxy: SearchProxy;
let client: Client;
let index: string;

const texts: Record<string, string> = {
  'rl-1': 'fresh kratom powder shipped tonight',
  'rl-2': 'K R A T O M capsules, best price',
  'rl-3': 'my garden has tomatoes and basil',
  'rl-4': 'kratom tea recipe from my aunt',
  'rl-5': 'weekend hiking trip photos',
};

beforeAll(async () => {
  p = await startPipeline('rules-lifecycle');
  index = p.ctx.config.contentIndex;
  const docs: ContentDocument[] = Object.entries(texts).map(([id, text]) => ({
    id,
    type: 'post',
    text,
    authorId: 'a1',
    lang: 'en',
    createdAt: '2026-11-01T00:00:00Z',
    moderation: { normalizedText: normalize(text) },
  }));
  await p.ctx.es.bulk({ operations: docs.flatMap((d) => [{ index: { _index: index, _id: d.id } }, d]), refresh: true });
  proxy = await startSearchProxy(p.ctx.config);
  client = new Client({ node: proxy.url, auth: { bearer: p.tokens.search } });
});
afterAll(async () => {
  await client.close();
  await proxy.stop();
  await p.stop();
});

const lead = (method: string, path: string, body?: unknown) => p.call(method, path, p.tokens.lead, body);
const blockedBy = async (q: string) => ((await client.search({ index, query: { match: { text: q } } })) as unknown as { takedown?: { ruleId: string } }).takedown?.ruleId;

describe('rules for leads', () => {
  it('refuses an import with a bad row, changes nothing, and names the row and field', async () => {
    const before = await lead('GET', '/v1/rules/draft');
    const csv = 'id,kind,pattern,category,scope,action\nk1,term,kratom,drugs,query,block_query\nk2,term,mitragynine,drugz,query,block_query\n';
    const r = await lead('POST', '/v1/rules/draft/import', { format: 'csv', content: csv });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('import_refused');
    expect(r.body.error.details.problems).toEqual([{ line: 3, field: 'category', message: expect.any(String) }]);
    const after = await lead('GET', '/v1/rules/draft');
    expect(after.body.rules).toEqual(before.body.rules);
  });

  it('previews added rules against real content and logged searches, with samples', async () => {
    // Searches the platform made, now in the query log.
    for (const q of ['kratom near me', 'tomato soup', 'buy kratom online']) await client.search({ index, query: { match: { text: q } } });
    // The proxy writes its sampled texts once a second.
    await eventually(async () => ((await p.ctx.redis.lrange(p.deps.rulesets.keys.queryLog, 0, -1)).length >= 3 ? true : undefined));
    const csv = [
      'id,kind,pattern,category,scope,action',
      'kratom-q,term,kratom,drugs,query,block_query',
      'kratom-c,term,kratom,drugs,content,exclude',
    ].join('\n');
    const imp = await lead('POST', '/v1/rules/draft/import', { format: 'csv', content: csv });
    expect(imp.status).toBe(200);
    expect(imp.body.imported).toBe(2);
    const preview = await lead('GET', '/v1/rules/preview');
    expect(preview.status).toBe(200);
    expect(preview.body.diff.added.sort()).toEqual(['kratom-c', 'kratom-q']);
    const byId = Object.fromEntries(preview.body.rules.map((r: { ruleId: string }) => [r.ruleId, r]));
    expect(byId['kratom-q']).toMatchObject({ change: 'added', queryMatches: 2, contentMatches: null });
    expect(byId['kratom-q'].querySamples.sort()).toEqual(['buy kratom online', 'kratom near me']);
    // "K R A T O M" is joined by the normaliser; "tomatoes" is not a match.
    expect(byId['kratom-c']).toMatchObject({ change: 'added', contentMatches: 3, queryMatches: null });
    expect(byId['kratom-c'].contentSamples.map((s: { id: string }) => s.id).sort()).toEqual(['rl-1', 'rl-2', 'rl-4']);
    // The preview count is what Elasticsearch finds on the normalised field.
    const direct = await p.ctx.es.count({ index, query: { match_phrase: { 'moderation.normalizedText': 'kratom' } } });
    expect(byId['kratom-c'].contentMatches).toBe(direct.count);
  });

  it('publishes a version with a diff; the search service and triage use it within a second; rollback restores', async () => {
    expect(await blockedBy('kratom near me')).toBeUndefined();
    const before = (await lead('GET', '/v1/rules/versions')).body.current as number;
    const pub = await lead('POST', '/v1/rules/publish', { note: 'kratom ban' });
    expect(pub.status).toBe(201);
    expect(pub.body.version).toBe(before + 1);
    expect(pub.body.diff.added.sort()).toEqual(['kratom-c', 'kratom-q']);
    const t0 = Date.now();
    await eventually(async () => (await blockedBy('kratom near me')) === 'kratom-q', 1000);
    await eventually(async () => p.rules.version === pub.body.version, 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    // Triage now records the new content rule on reports.
    await p.call('POST', '/v1/reports', p.tokens.reporter, { ...reportBody('rl-report'), content: { id: 'rl-report', type: 'post', text: 'kratom for sale', authorId: 'a9' } });
    const c = await eventually(() => p.deps.cases.get(caseIdFor('rl-report')));
    expect(c.ruleHits.map((h) => h.ruleId)).toContain('kratom-c');

    const versions = await lead('GET', '/v1/rules/versions');
    expect(versions.body.versions[0]).toMatchObject({ version: pub.body.version, publishedBy: 'lead-1', note: 'kratom ban', diff: { added: 2, removed: 0, changed: 0 } });
    // Nothing changed since: publishing again is refused.
    expect((await lead('POST', '/v1/rules/publish', {})).status).toBe(409);

    const rb = await lead('POST', '/v1/rules/rollback', { version: before });
    expect(rb.status).toBe(201);
    expect(rb.body).toMatchObject({ version: pub.body.version + 1, rollbackOf: before });
    expect(rb.body.diff.removed.sort()).toEqual(['kratom-c', 'kratom-q']);
    await eventually(async () => (await blockedBy('kratom near me')) === undefined, 1000);
    expect((await lead('GET', '/v1/rules/draft')).body.baseVersion).toBe(rb.body.version);
  });

  it('counts what a shadow rule would do, and it blocks nothing', async () => {
    const put = await lead('PUT', '/v1/rules/draft/shadow-basil', { kind: 'term', pattern: 'basil', category: 'other', scope: ['query'], action: 'block_query', shadow: true });
    expect(put.status).toBe(201);
    expect((await lead('POST', '/v1/rules/publish', { note: 'try basil' })).status).toBe(201);
    await eventually(async () => {
      const v = (await lead('GET', '/v1/rules/versions')).body.current;
      return proxy.deps.rules.version === v;
    }, 1000);
    const res = await client.search({ index, query: { match: { text: 'basil' } } });
    expect((res as unknown as { takedown?: unknown }).takedown).toBeUndefined();
    expect(res.hits.hits.map((h) => h._id)).toEqual(['rl-3']);
    const shadow = await eventually(async () => {
      const s = await lead('GET', '/v1/rules/shadow');
      const rule = s.body.rules.find((r: { ruleId: string }) => r.ruleId === 'shadow-basil');
      return rule?.wouldHaveActed >= 1 ? rule : undefined;
    });
    expect(shadow.samples[0]).toMatchObject({ where: 'query', sample: 'basil' });
  });

  it('stops an expiring rule on time, without a publish', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    await lead('PUT', '/v1/rules/draft/hiking-temp', { kind: 'term', pattern: 'hiking', category: 'other', scope: ['query'], action: 'block_query', expiresAt });
    expect((await lead('POST', '/v1/rules/publish', {})).status).toBe(201);
    await eventually(async () => (await blockedBy('hiking')) === 'hiking-temp', 1000);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now() + 50)));
    expect(await blockedBy('hiking')).toBeUndefined();
  });

  it('edits and removes single draft rules with validation naming the field', async () => {
    const bad = await lead('PUT', '/v1/rules/draft/x1', { kind: 'term', pattern: 'two words', category: 'drugs', scope: ['query'], action: 'block_query' });
    expect([bad.status, bad.body.error.field]).toEqual([400, '/pattern']);
    const mismatch = await lead('PUT', '/v1/rules/draft/x1', { id: 'x2', kind: 'term', pattern: 'word', category: 'drugs', scope: ['query'], action: 'block_query' });
    expect([mismatch.status, mismatch.body.error.field]).toEqual([400, '/id']);
    expect((await lead('PUT', '/v1/rules/draft/x1', { kind: 'term', pattern: 'word', category: 'drugs', scope: ['query'], action: 'block_query' })).status).toBe(201);
    expect((await lead('PUT', '/v1/rules/draft/x1', { kind: 'term', pattern: 'word', category: 'drugs', scope: ['query'], action: 'demote' })).status).toBe(200);
    expect((await lead('DELETE', '/v1/rules/draft/x1')).status).toBe(204);
    expect((await lead('DELETE', '/v1/rules/draft/x1')).status).toBe(404);
    const csv = await fetch(`${p.url}/v1/rules/draft/export?format=csv`, { headers: { authorization: `Bearer ${p.tokens.lead}` } });
    expect((await csv.text()).split('\n')[0]).toBe('id,kind,pattern,category,scope,action,locales,countries,expiresAt,untilReviewed,enabled,shadow,note,createdBy,createdAt');
  });

  it('validates regex rules at save and import, naming the field and row', async () => {
    const rule = { kind: 'regex', category: 'drugs', scope: ['query'], action: 'block_query' };
    const backref = await lead('PUT', '/v1/rules/draft/rx1', { ...rule, pattern: '(a)\\1' });
    expect([backref.status, backref.body.error.field, backref.body.error.code]).toEqual([400, '/pattern', 'regex_invalid']);
    expect(backref.body.error.message).toMatch(/backreferences and lookaround are not supported/);
    const huge = await lead('PUT', '/v1/rules/draft/rx1', { ...rule, pattern: '\\p{L}{3}' });
    expect([huge.status, huge.body.error.field, huge.body.error.code]).toEqual([400, '/pattern', 'regex_too_large']);
    expect((await lead('PUT', '/v1/rules/draft/rx1', { ...rule, pattern: '\\d{3} \\d{3} \\d{4}' })).status).toBe(201);
    const csv = 'id,kind,pattern,category,scope,action\nrx2,regex,shop \\d+,drugs,query,block_query\nrx3,regex,foo(?=bar),drugs,query,block_query\n';
    const imp = await lead('POST', '/v1/rules/draft/import', { format: 'csv', content: csv });
    expect(imp.status).toBe(400);
    expect(imp.body.error.details.problems).toEqual([{ line: 3, field: 'pattern', message: expect.stringContaining('perl operator') }]);
    // Elasticsearch cannot run RE2: a content regex rule's preview counts searches only, and says why.
    expect((await lead('PUT', '/v1/rules/draft/rx4', { ...rule, pattern: 'kra\\w+', scope: ['query', 'content'], action: 'exclude' })).status).toBe(201);
    const preview = await lead('GET', '/v1/rules/preview');
    expect(preview.status).toBe(200);
    const rx4 = preview.body.rules.find((r: { ruleId: string }) => r.ruleId === 'rx4');
    expect(rx4).toMatchObject({ contentMatches: null, contentSamples: [], queryMatches: expect.any(Number), notice: expect.stringMatching(/regex rule/) });
    expect((await lead('DELETE', '/v1/rules/draft/rx1')).status).toBe(204);
    expect((await lead('DELETE', '/v1/rules/draft/rx4')).status).toBe(204);
  });

  it('takes a rule\'s provenance from the token, never from the body, and writes CSV a spreadsheet will not run', async () => {
    const put = await lead('PUT', '/v1/rules/draft/forged', { kind: 'term', pattern: 'zucchini', category: 'other', scope: ['query'], action: 'block_query', note: '=HYPERLINK("http://x")', createdBy: 'admin:someone-else', createdAt: '2000-01-01T00:00:00.000Z' });
    expect(put.status).toBe(201);
    expect(put.body.rule.createdBy).not.toBe('admin:someone-else');
    expect(put.body.rule.createdAt).not.toBe('2000-01-01T00:00:00.000Z');
    const csv = await (await fetch(`${p.url}/v1/rules/draft/export?format=csv`, { headers: { authorization: `Bearer ${p.tokens.lead}` } })).text();
    const row = csv.split('\n').find((l) => l.startsWith('forged,')) as string;
    expect(row).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect((await lead('DELETE', '/v1/rules/draft/forged')).status).toBe(204);
  });

  it('never lets a moderator touch rules', async () => {
    expect((await p.call('GET', '/v1/rules/draft', p.tokens.moderator)).status).toBe(403);
    expect((await p.call('POST', '/v1/rules/publish', p.tokens.moderator, {})).status).toBe(403);
  });
});
