import { ElasticsearchSubscriberSource, generateDemoCorpus, seedDemoCorpus, seedDemoSubscribers } from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

// What `npm start` seeds for the legal desk: demo accounts and sign-ins
// straight into Elasticsearch, linked to the demo corpus's authors.
let ctx: TestContext;
const POSTS = 3000;

beforeAll(async () => {
  ctx = await createTestContext('demo-subscribers');
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('demo subscriber data', () => {
  it('seeds 2,000 accounts and 50,000+ sign-ins once, and every author of a demo post resolves to an account with a phone and sign-ins', async () => {
    const names = { accounts: `${ctx.prefix}-accounts`, signIns: `${ctx.prefix}-signins` };
    const now = new Date();
    const t0 = performance.now();
    const first = await seedDemoSubscribers(ctx.es, names, { posts: POSTS, replicas: 0, now });
    const ms = performance.now() - t0;
    console.log(`demo subscribers: ${first.accounts} accounts, ${first.signIns} sign-ins, phones in ${first.countries} countries, seeded in ${Math.round(ms)} ms`);
    expect(first).toMatchObject({ accounts: 2000, skipped: false });
    expect(first.signIns).toBeGreaterThanOrEqual(50_000);
    expect(first.countries).toBeGreaterThanOrEqual(20);
    expect((await ctx.es.count({ index: names.accounts })).count).toBe(2000);
    expect((await ctx.es.count({ index: names.signIns })).count).toBe(first.signIns);
    // Idempotent: a second start keeps what is there.
    expect(await seedDemoSubscribers(ctx.es, names, { posts: POSTS, replicas: 0, now })).toMatchObject({ skipped: true, accounts: 2000 });
    const v6 = await ctx.es.count({ index: names.signIns, query: { term: { ip: '2001:db8::/32' } } });
    expect(v6.count).toBeGreaterThan(1000);
    const old = await ctx.es.count({ index: names.signIns, query: { range: { at: { lt: 'now-365d' } } } });
    expect(old.count).toBeGreaterThan(first.signIns / 3);

    await seedDemoCorpus(ctx.es, ctx.config.contentIndex, { count: POSTS, replicas: 0 });
    const source = new ElasticsearchSubscriberSource(ctx.es, { accountsIndex: names.accounts, signInsIndex: names.signIns, contentIndex: ctx.config.contentIndex });
    const posts = generateDemoCorpus({ count: POSTS });
    const sample = posts.filter((_, i) => i % 30 === 0);
    const resolved = await source.resolveTargets(sample.map((p) => ({ kind: 'content_id' as const, value: p.id })));
    expect(resolved.map((r) => (r.status === 'resolved' ? r.accountIds : r.status))).toEqual(sample.map((p) => [p.authorId]));
    const authors = [...new Set(posts.map((p) => p.authorId))];
    expect((await source.phoneOf(authors)).map((r) => r.accountId)).toEqual([...authors].sort());
    const held = await source.heldRange(authors);
    expect(held && Date.parse(held.latest) - Date.parse(held.earliest)).toBeGreaterThan(700 * 86_400_000);
  }, 120_000);
});
