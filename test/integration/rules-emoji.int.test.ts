import { Client } from '@elastic/elasticsearch';
import { SHIPPED_EMOJI_WORDS, match } from '@takedown/search-rules';
import { eventually } from '../support/test-context';
import { startPipeline, type Pipeline } from '../support/pipeline';
import { startSearchProxy, type SearchProxy } from '../support/search-proxy';

let p: Pipeline;
let proxy: SearchProxy;
let client: Client;
let index: string;

beforeAll(async () => {
  p = await startPipeline('rules-emoji');
  index = p.ctx.config.contentIndex;
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

describe('the emoji table leads edit', () => {
  it('starts as the shipped table, is published with the rules, and rolls back with them', async () => {
    const start = await lead('GET', '/v1/rules/draft-emoji');
    expect(start.status).toBe(200);
    expect(start.body).toMatchObject({ shipped: true, emojiWords: SHIPPED_EMOJI_WORDS });
    expect(await blockedBy('🍭 delivery')).toBeUndefined();
    const before = (await lead('GET', '/v1/rules/versions')).body.current as number;

    // 🍭 reads as "cocaine", which the pipeline's rules block in queries and flag in content.
    const put = await lead('PUT', '/v1/rules/draft-emoji', { emojiWords: { ...SHIPPED_EMOJI_WORDS, '🍭': 'cocaine' } });
    expect(put.status).toBe(200);
    expect(put.body.diff).toEqual({ added: ['🍭'], removed: [], changed: [] });
    expect((await lead('GET', '/v1/rules/draft-emoji')).body).toMatchObject({ shipped: false, updatedBy: 'lead-1', emojiWords: { '🍭': 'cocaine' } });
    const audit = await p.deps.redis.xrevrange(p.deps.cases.keys.audit, '+', '-', 'COUNT', 20);
    expect(audit.some(([, f]) => f.join(' ').includes('rules.draft_emoji_replaced'))).toBe(true);

    const pub = await lead('POST', '/v1/rules/publish', { note: 'lollipop' });
    expect(pub.status).toBe(201);
    expect(pub.body).toMatchObject({ emojiChanged: true, emojiDiff: { added: ['🍭'] }, diff: { added: [], removed: [], changed: [] } });
    // Every document's normalised text changes with the table: the backfill rescans them all.
    const job = await p.deps.backfill.queue.getJob(pub.body.backfill.jobId as string);
    expect(job?.data).toMatchObject({ rulesetVersion: pub.body.version, sweep: 'all' });
    await eventually(async () => (await blockedBy('🍭 delivery')) === 'drugs-query', 2000);
    await eventually(async () => p.rules.current().version === pub.body.version, 2000);
    expect(match(p.rules.current().compiled, 'selling 🍭', 'content').map((h) => h.ruleId)).toContain('drugs-sale');

    const versions = await lead('GET', '/v1/rules/versions');
    expect(versions.body.versions[0]).toMatchObject({ version: pub.body.version, emojiChanged: true });
    expect((await lead('GET', `/v1/rules/versions/${pub.body.version}`)).body).toMatchObject({ emojiWords: { '🍭': 'cocaine' }, emojiDiff: { added: ['🍭'] } });
    // Nothing changed since: publishing again is refused.
    expect((await lead('POST', '/v1/rules/publish', {})).status).toBe(409);

    const back = await lead('POST', '/v1/rules/rollback', { version: before });
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ emojiChanged: true, emojiDiff: { removed: ['🍭'] } });
    await eventually(async () => (await blockedBy('🍭 delivery')) === undefined, 2000);
    expect((await lead('GET', '/v1/rules/draft-emoji')).body).toMatchObject({ shipped: true, emojiWords: SHIPPED_EMOJI_WORDS });
  });

  it('refuses a bad table, naming the field, and keeps the draft', async () => {
    const before = (await lead('GET', '/v1/rules/draft-emoji')).body.emojiWords as unknown;
    const empty = await lead('PUT', '/v1/rules/draft-emoji', { emojiWords: { '🍭': '' } });
    expect([empty.status, empty.body.error.field]).toEqual([400, '/emojiWords/🍭']);
    const missing = await lead('PUT', '/v1/rules/draft-emoji', { table: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toMatch(/emojiWords|table/);
    const huge = await lead('PUT', '/v1/rules/draft-emoji', { emojiWords: Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [String.fromCodePoint(0x1f300 + i), 'x'])) });
    expect([huge.status, huge.body.error.field]).toEqual([400, '/emojiWords']);
    // Keys the normaliser would apply to ordinary text (every "a", every digit, every space), a sequence, a regional-indicator letter.
    for (const key of ['a', '7', ' ', '🍭🍭', '🇨', '->']) {
      const bad = await lead('PUT', '/v1/rules/draft-emoji', { emojiWords: { ...SHIPPED_EMOJI_WORDS, [key]: 'cocaine' } });
      expect({ key, status: bad.status, code: bad.body.error.code, field: bad.body.error.field, message: bad.body.error.message }).toEqual({ key, status: 400, code: 'emoji_key_invalid', field: `/emojiWords/${key}`, message: expect.stringContaining(JSON.stringify(key)) });
    }
    // One pictograph or symbol, with or without its presentation selector, is a key.
    expect((await lead('PUT', '/v1/rules/draft-emoji', { emojiWords: { ...SHIPPED_EMOJI_WORDS, '❄️': 'cocaine', '⚗': 'meth' } })).status).toBe(200);
    await lead('PUT', '/v1/rules/draft-emoji', { emojiWords: before });
    expect((await lead('GET', '/v1/rules/draft-emoji')).body.emojiWords).toEqual(before);
  });

  it('lets leads edit it, admins read it, and nobody else', async () => {
    const body = { emojiWords: SHIPPED_EMOJI_WORDS };
    expect((await p.call('GET', '/v1/rules/draft-emoji', p.tokens.admin)).status).toBe(200);
    expect((await p.call('PUT', '/v1/rules/draft-emoji', p.tokens.admin, body)).status).toBe(403);
    expect((await p.call('GET', '/v1/rules/draft-emoji', p.tokens.moderator)).status).toBe(403);
    expect((await p.call('PUT', '/v1/rules/draft-emoji', p.tokens.moderator, body)).status).toBe(403);
  });
});
