import { createPublicKey } from 'node:crypto';
import {
  ElasticsearchSubscriberSource,
  decryptPackage,
  generateEncryptionKey,
  generateSigningKey,
  parseEncryptionKey,
  produceDisclosurePackage,
  verifyDisclosurePackage,
  UnavailableError,
  createElasticsearch,
  ensureContentIndex,
  ensureSubscriberIndices,
  type SignIn,
  type SubscriberSource,
} from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

// The subscriber source against real Elasticsearch: target resolution of each
// kind, period bounds (from inclusive, to exclusive), IPv4 and IPv6, paging
// past 10,000 sign-ins, and data minimisation (no other field ever arrives).

let ctx: TestContext;
let source: SubscriberSource;
/** Every response body Elasticsearch sent the source's own client. */
const responses: string[] = [];
let accounts: string;
let signIns: string;

const PERIOD = { from: '2026-01-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' };
const HEAVY = 12_345;
/** Values that live in the indices and must never reach the source's process. */
const SECRETS = ['SECRET-passport', 'secret@example.org', 'SECRET-user-agent', 'SECRET-device', 'Mira.K', 'omar_old', 'SECRET-post-text'];

async function collect(pages: AsyncIterable<SignIn[]>): Promise<{ rows: SignIn[]; pages: number }> {
  const rows: SignIn[] = [];
  let n = 0;
  for await (const page of pages) {
    rows.push(...page);
    n++;
  }
  return { rows, pages: n };
}

beforeAll(async () => {
  ctx = await createTestContext('subscriber-source');
  accounts = `${ctx.prefix}-accounts`;
  signIns = `${ctx.prefix}-signins`;
  await ensureSubscriberIndices(ctx.es, { accounts, signIns }, 0);
  await ensureContentIndex(ctx.es, ctx.config.contentIndex, 0);
  const secret = { secretField: 'SECRET-passport', profile: { email: 'secret@example.org' } };
  const accountDocs = [
    { accountId: 'acc-1', username: 'Mira.K', phone: '+4915112345678', phoneCountry: 'DE', createdAt: '2025-01-01T00:00:00Z', ...secret },
    // One number, recycled: two accounts.
    { accountId: 'acc-2', username: 'omar', phone: '+77011234567', phoneCountry: 'KZ', createdAt: '2025-02-01T00:00:00Z', ...secret },
    { accountId: 'acc-3', username: 'omar_old', phone: '+77011234567', phoneCountry: 'KZ', createdAt: '2020-02-01T00:00:00Z', ...secret },
    { accountId: 'acc-4', username: 'nophone', createdAt: '2025-03-01T00:00:00Z', ...secret },
    { accountId: 'heavy', username: 'heavy', phone: '+14155550123', phoneCountry: 'US', createdAt: '2024-01-01T00:00:00Z', ...secret },
  ];
  const extra = { userAgent: 'SECRET-user-agent', deviceId: 'SECRET-device' };
  const signInDocs = [
    { accountId: 'acc-1', ip: '198.51.100.1', at: '2025-12-31T23:59:59.999Z' }, // before: out
    { accountId: 'acc-1', ip: '198.51.100.2', at: '2026-01-01T00:00:00.000Z' }, // exactly from: in
    { accountId: 'acc-1', ip: '2001:0DB8:0000:0000:0000:0000:0000:0001', at: '2026-03-01T12:00:00.000Z' }, // v6, written long-hand: in
    { accountId: 'acc-1', ip: '::ffff:203.0.113.5', at: '2026-04-01T12:00:00.000Z' }, // v4-mapped v6: in, read as v4
    { accountId: 'acc-1', ip: '198.51.100.3', at: '2026-06-30T23:59:59.999Z' }, // last ms: in
    { accountId: 'acc-1', ip: '198.51.100.4', at: '2026-07-01T00:00:00.000Z' }, // exactly to: out
    // Three identical rows: every one is a sign-in.
    ...Array.from({ length: 3 }, () => ({ accountId: 'acc-2', ip: '203.0.113.9', at: '2026-02-02T02:02:02.000Z' })),
    { accountId: 'acc-3', ip: '2001:db8:85a3::8a2e:370:7334', at: '2024-05-05T05:05:05.000Z' },
    // No address: nothing to disclose.
    { accountId: 'acc-2', at: '2026-02-03T00:00:00.000Z' } as { accountId: string; ip: string; at: string },
    // Two addresses in one document: not the index's shape.
    { accountId: 'multi', ip: ['198.51.100.10', '198.51.100.11'] as unknown as string, at: '2026-02-03T00:00:00.000Z' },
  ];
  const start = Date.parse(PERIOD.from);
  for (let i = 0; i < HEAVY; i++) {
    const ip = i % 7 === 0 ? `2001:db8:${(i % 65536).toString(16)}::${(i % 9) + 1}` : `198.18.${(i >> 8) & 255}.${i & 255}`;
    // Spread over the period, a few minutes apart, some at the same instant.
    signInDocs.push({ accountId: 'heavy', ip, at: new Date(start + Math.floor(i / 2) * 600_000).toISOString() });
  }
  const operations: object[] = [];
  for (const d of accountDocs) operations.push({ index: { _index: accounts, _id: `doc-${d.accountId}` } }, d);
  for (const d of signInDocs) operations.push({ index: { _index: signIns } }, { ...d, ...extra });
  operations.push({ index: { _index: ctx.config.contentIndex, _id: 'post-1' } }, { id: 'post-1', type: 'post', text: 'SECRET-post-text', authorId: 'acc-1', createdAt: '2026-03-01T00:00:00Z' });
  operations.push({ index: { _index: ctx.config.contentIndex, _id: 'post-2' } }, { id: 'post-2', type: 'post', text: 'SECRET-post-text', authorId: 'ghost', createdAt: '2026-03-01T00:00:00Z' });
  operations.push({ index: { _index: ctx.config.contentIndex, _id: 'post-3' } }, { id: 'post-3', moderation: { state: 'removed', placeholder: true } });
  const res = await ctx.es.bulk({ operations, refresh: true });
  expect(res.errors).toBe(false);

  const es = createElasticsearch(ctx.config.elasticsearch);
  es.diagnostic.on('response', (_err, result) => {
    if (result?.body !== undefined) responses.push(JSON.stringify(result.body));
  });
  source = new ElasticsearchSubscriberSource(es, { accountsIndex: accounts, signInsIndex: signIns, contentIndex: ctx.config.contentIndex, timeoutMs: 10_000 });
}, 120_000);

afterAll(async () => {
  await ctx.cleanup();
});

describe('ElasticsearchSubscriberSource (real Elasticsearch)', () => {
  it('resolves each kind of target to account ids, in the order given', async () => {
    const got = await source.resolveTargets([
      { kind: 'account_id', value: 'acc-1' },
      { kind: 'username', value: '@mira.k' },
      { kind: 'phone_number', value: '+49 151 1234 5678' },
      { kind: 'phone_number', value: '+7 701 123-45-67' },
      { kind: 'content_id', value: 'post-1' },
      { kind: 'content_id', value: 'post-2' },
      { kind: 'content_id', value: 'post-3' },
      { kind: 'content_id', value: 'post-404' },
      { kind: 'account_id', value: 'acc-404' },
      { kind: 'username', value: 'nobody' },
      { kind: 'phone_number', value: '0151 1234 5678' },
      { kind: 'account_id', value: 'acc-1' },
    ]);
    expect(got.map((r) => (r.status === 'resolved' ? r.accountIds : r.status))).toEqual([
      ['acc-1'],
      ['acc-1'], // usernames match whatever their case
      ['acc-1'],
      ['acc-2', 'acc-3'], // a recycled number names both accounts; the officer decides
      ['acc-1'], // the post's author
      'not_found', // its author has no account
      'not_found', // a placeholder carries a decision, no author
      'not_found',
      'not_found',
      'not_found',
      'invalid', // not E.164
      ['acc-1'],
    ]);
    expect(got[10]).toMatchObject({ status: 'invalid', reason: expect.stringContaining('E.164') });
    expect(got[4]?.target).toEqual({ kind: 'content_id', value: 'post-1' });
  });

  it('gives the phone number of each account that has one, sorted by account', async () => {
    expect(await source.phoneOf(['acc-4', 'acc-2', 'acc-1', 'acc-404'])).toEqual([
      { accountId: 'acc-1', phone: '+4915112345678', phoneCountry: 'DE' },
      { accountId: 'acc-2', phone: '+77011234567', phoneCountry: 'KZ' },
    ]);
  });

  it('gives sign-ins from the period start inclusive to its end exclusive, IPv4 and IPv6 in canonical form, sorted', async () => {
    const { rows } = await collect(source.signIns(['acc-1', 'acc-2'], PERIOD));
    expect(rows).toEqual([
      { accountId: 'acc-1', ip: '198.51.100.2', at: '2026-01-01T00:00:00.000Z' },
      { accountId: 'acc-1', ip: '2001:db8::1', at: '2026-03-01T12:00:00.000Z' },
      { accountId: 'acc-1', ip: '203.0.113.5', at: '2026-04-01T12:00:00.000Z' },
      { accountId: 'acc-1', ip: '198.51.100.3', at: '2026-06-30T23:59:59.999Z' },
      ...Array.from({ length: 3 }, () => ({ accountId: 'acc-2', ip: '203.0.113.9', at: '2026-02-02T02:02:02.000Z' })),
    ]);
    expect((await collect(source.signIns(['acc-3'], PERIOD))).rows).toEqual([]);
    expect((await collect(source.signIns(['acc-3'], { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }))).rows).toEqual([{ accountId: 'acc-3', ip: '2001:db8:85a3::8a2e:370:7334', at: '2024-05-05T05:05:05.000Z' }]);
  });

  it(`pages past 10,000: all ${HEAVY} sign-ins of one account, in order, none twice, at any page size`, async () => {
    const expected = Array.from({ length: HEAVY }, (_, i) => new Date(Date.parse(PERIOD.from) + Math.floor(i / 2) * 600_000).toISOString());
    for (const pageSize of [10_000, 3_000]) {
      const { rows, pages } = await collect(source.signIns(['heavy'], PERIOD, { pageSize }));
      expect(pages).toBe(Math.ceil(HEAVY / pageSize));
      expect(rows).toHaveLength(HEAVY);
      expect(rows.map((r) => r.at)).toEqual(expected);
      expect(new Set(rows.map((r) => `${r.at} ${r.ip}`)).size).toBe(HEAVY);
      expect(rows.filter((r) => r.ip.includes(':')).length).toBe(Math.ceil(HEAVY / 7));
    }
    // A caller that stops early ends the paging (the page already on its way is awaited, the point in time closed).
    let seen = 0;
    for await (const page of source.signIns(['heavy'], PERIOD, { pageSize: 1000 })) {
      seen += page.length;
      break;
    }
    expect(seen).toBe(1000);
  });

  it('tells the earliest and latest sign-in held, to clamp a period to', async () => {
    expect(await source.heldRange(['acc-1', 'acc-3'])).toEqual({ earliest: '2024-05-05T05:05:05.000Z', latest: '2026-07-01T00:00:00.000Z' });
    expect(await source.heldRange(['acc-4'])).toBeUndefined();
  });

  it('produces a package holding exactly the scoped accounts’ sign-ins in the period and their phone numbers, signed and encrypted', async () => {
    const keys = { signingKey: generateSigningKey(), encryptionKey: parseEncryptionKey(generateEncryptionKey()) };
    const scope = { accountIds: ['acc-1', 'acc-4'], dataTypes: ['ip_addresses' as const, 'phone_number' as const], period: PERIOD };
    const produced = await produceDisclosurePackage(source, { packageId: 'pkg_it', requestId: 'lr_it', createdAt: '2026-11-30T00:00:00Z', scope }, keys);
    const v = verifyDisclosurePackage(decryptPackage(produced.encrypted, keys.encryptionKey, 'pkg_it'), createPublicKey(keys.signingKey));
    if (!v.ok) throw new Error(v.reason);
    const file = (name: string) => JSON.parse(v.files.find((f) => f.name === name)?.content.toString('utf8') ?? 'null');
    // Compared with the source documents, read here without the source.
    const direct = await ctx.es.search<{ accountId: string; ip: string; at: string }>({ index: signIns, size: 100, query: { terms: { accountId: scope.accountIds } } });
    const inPeriod = direct.hits.hits.map((h) => h._source as { accountId: string; at: string }).filter((d) => d.at >= PERIOD.from && d.at < PERIOD.to);
    expect(file('ip-addresses.json')).toHaveLength(inPeriod.length);
    expect(file('ip-addresses.json').map((r: { at: string }) => r.at).sort()).toEqual(inPeriod.map((d) => d.at).sort());
    expect(file('phone-numbers.json')).toEqual([{ accountId: 'acc-1', phone: '+4915112345678', phoneCountry: 'DE' }]);
    expect(v.manifest.scope).toEqual(scope);
    expect(v.files.map((f) => f.name)).toEqual(['phone-numbers.json', 'phone-numbers.csv', 'ip-addresses.json', 'ip-addresses.csv']);

    // Only what was approved: phone numbers alone give no sign-ins file.
    const phonesOnly = await produceDisclosurePackage(source, { packageId: 'pkg_p', requestId: 'lr_it', createdAt: '2026-11-30T00:00:00Z', scope: { ...scope, dataTypes: ['phone_number'] } }, keys);
    expect(phonesOnly.manifest.files.map((f) => f.name)).toEqual(['phone-numbers.json', 'phone-numbers.csv']);
  });

  it('never reads any other field: no username, no secretField, no user agent, no post text ever arrives', async () => {
    expect(responses.length).toBeGreaterThan(5);
    const all = responses.join('\n');
    for (const s of SECRETS) expect(all).not.toContain(s);
    expect(all).not.toMatch(/"(username|secretField|profile|createdAt|userAgent|deviceId|text)"/);
    // What did arrive: the fields the desk may see.
    expect(all).toContain('+4915112345678');
    expect(all).toContain('2001:db8::1');
  });

  it('fails as unavailable on a missing index, never answering "no data held"; refuses documents holding several sign-ins rather than read one', async () => {
    const wrong = new ElasticsearchSubscriberSource(ctx.es, { accountsIndex: `${ctx.prefix}-nope`, signInsIndex: `${ctx.prefix}-nope`, contentIndex: ctx.config.contentIndex });
    await expect(wrong.phoneOf(['acc-1'])).rejects.toMatchObject({ code: 'subscriber_index_missing' });
    await expect(wrong.resolveTargets([{ kind: 'account_id', value: 'acc-1' }])).rejects.toBeInstanceOf(UnavailableError);
    await expect(collect(wrong.signIns(['acc-1'], PERIOD))).rejects.toBeInstanceOf(UnavailableError);
    await expect(wrong.heldRange(['acc-1'])).rejects.toBeInstanceOf(UnavailableError);
    await expect(collect(source.signIns(['acc-1', 'multi'], PERIOD))).rejects.toMatchObject({ code: 'subscriber_data_shape' });
    await expect(collect(source.signIns([], PERIOD))).rejects.toMatchObject({ field: '/accountIds' });
    await expect(collect(source.signIns(['acc-1'], { from: PERIOD.to, to: PERIOD.from }))).rejects.toMatchObject({ field: '/period/to' });
  });
});
