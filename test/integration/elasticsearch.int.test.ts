import { ensureContentIndex, generateDemoCorpus, type ContentDocument } from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('es');
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('Elasticsearch through @elastic/elasticsearch', () => {
  it('is a real 8.14 node that the 8.x client accepts (product check)', async () => {
    const info = await ctx.es.info();
    expect(info.version.number).toMatch(/^8\.14\./);
    const health = await ctx.es.cluster.health();
    expect(['green', 'yellow']).toContain(health.status);
  });

  it('creates the content index with moderation.* and is idempotent', async () => {
    const index = ctx.config.contentIndex;
    expect(await ensureContentIndex(ctx.es, index, 0)).toBe('created');
    expect(await ensureContentIndex(ctx.es, index, 0)).toBe('exists');
    const mapping = await ctx.es.indices.getMapping({ index });
    const props = mapping[index]?.mappings.properties;
    expect(props?.['moderation']).toMatchObject({ properties: { state: { type: 'keyword' } } });
  });

  it('adds only moderation.* to an index the platform created', async () => {
    const index = `${ctx.prefix}-platform-owned`;
    await ctx.es.indices.create({ index, mappings: { properties: { body: { type: 'text' } } } });
    expect(await ensureContentIndex(ctx.es, index, 0)).toBe('exists');
    const mapping = await ctx.es.indices.getMapping({ index });
    const props = mapping[index]?.mappings.properties ?? {};
    expect(Object.keys(props).sort()).toEqual(['body', 'moderation']);
  });

  it('indexes documents and searches them, filtering on moderation.state', async () => {
    const index = ctx.config.contentIndex;
    const docs = generateDemoCorpus({ count: 200, seed: 7 });
    const removed = new Set(docs.slice(0, 20).map((d) => d.id));
    const operations = docs.flatMap(({ kind: _kind, ...doc }) => {
      const body: ContentDocument = removed.has(doc.id) ? { ...doc, moderation: { state: 'removed' } } : doc;
      return [{ index: { _index: index, _id: doc.id } }, body];
    });
    const bulk = await ctx.es.bulk({ operations, refresh: 'wait_for' });
    expect(bulk.errors).toBe(false);

    const all = await ctx.es.count({ index });
    expect(all.count).toBe(200);

    const visible = await ctx.es.search<ContentDocument>({
      index,
      size: 500,
      query: { bool: { must_not: [{ term: { 'moderation.state': 'removed' } }] } },
    });
    const ids = visible.hits.hits.map((h) => h._id);
    expect(ids).toHaveLength(180);
    for (const id of removed) expect(ids).not.toContain(id);

    const english = await ctx.es.search<ContentDocument>({ index, query: { term: { lang: 'en' } }, size: 0 });
    const total = typeof english.hits.total === 'number' ? english.hits.total : english.hits.total?.value;
    expect(total).toBeGreaterThan(50);
  });
});
