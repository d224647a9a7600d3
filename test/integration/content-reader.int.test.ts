import { Client } from '@elastic/elasticsearch';
import { ContentReader, UnavailableError, ensureContentIndex } from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

let ctx: TestContext;
let index: string;

beforeAll(async () => {
  ctx = await createTestContext('content-reader');
  index = ctx.config.contentIndex;
  await ensureContentIndex(ctx.es, index, 0);
  const operations = Array.from({ length: 100 }, (_, i) => [{ index: { _index: index, _id: `p${i}` } }, { id: `p${i}`, type: 'post', text: `post ${i}`, authorId: `a${i}`, createdAt: '2026-11-01T00:00:00.000Z' }]).flat();
  await ctx.es.bulk({ operations });
  // Not refreshed on purpose: reads are real time. A placeholder carries a decision and no content.
  await ctx.es.index({ index, id: 'ph', document: { id: 'ph', moderation: { state: 'removed', decisionId: 'd_1', placeholder: true } } });
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('ContentReader (real Elasticsearch)', () => {
  it('answers many concurrent reads with a few multi-gets, each read its own post', async () => {
    let multiGets = 0;
    const es = new Proxy(ctx.es, {
      get(target, key, receiver) {
        if (key === 'mget') multiGets++;
        return Reflect.get(target, key, receiver);
      },
    });
    const reader = new ContentReader(es, index);
    const ids = [...Array.from({ length: 100 }, (_, i) => `p${i}`), 'p7', 'ph', 'nope'];
    const got = await Promise.all(ids.map((id) => reader.get(id)));
    expect(got.slice(0, 100).map((c) => c?.text)).toEqual(Array.from({ length: 100 }, (_, i) => `post ${i}`));
    expect(got[100]).toMatchObject({ id: 'p7', authorId: 'a7', type: 'post' });
    expect(got.slice(101)).toEqual([undefined, undefined]);
    expect(multiGets).toBeGreaterThanOrEqual(1);
    expect(multiGets).toBeLessThanOrEqual(3);
  });

  it('finds nothing in an index that does not exist, and fails as unavailable when Elasticsearch does not answer', async () => {
    expect(await new ContentReader(ctx.es, `${ctx.prefix}-missing`).get('p1')).toBeUndefined();
    const dead = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0 });
    await expect(new ContentReader(dead, index, 1000).get('p1')).rejects.toBeInstanceOf(UnavailableError);
    await dead.close();
  });
});
