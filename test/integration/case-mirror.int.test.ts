import { CaseMirror, CaseStore, createLogger, ensureTakedownIndices, moderationKeys } from '@takedown/shared';
import { createTestContext, type TestContext } from '../support/test-context';

/**
 * The case mirror copies every case it can read: one whose read fails (here
 * a key of the wrong type; under load, a command timeout, as the soak bench
 * of issue 15 showed) stays marked for later and no longer fails the whole
 * batch with a TypeError.
 */

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('case-mirror');
});
afterAll(async () => {
  await ctx.cleanup();
});

test('a case that cannot be read stays dirty; the others of its batch are copied', async () => {
  const { cases: index } = await ensureTakedownIndices(ctx.es, ctx.config.indexPrefix, 0);
  const keys = moderationKeys(ctx.config.queuePrefix);
  const store = new CaseStore(ctx.redis, keys, 600_000);
  const at = '2026-11-01T00:00:00.000Z';
  await ctx.redis.hset(keys.case('c_mirror_good'), { id: 'c_mirror_good', contentId: 'p1', rev: '1', status: 'open', lane: 'default', priority: '100', category: 'drugs', firstReportedAt: at, lastReportedAt: at });
  await ctx.redis.set(keys.case('c_mirror_bad'), 'not a hash');
  await store.markDirty(['c_mirror_good', 'c_mirror_bad']);
  const mirror = new CaseMirror(ctx.redis, store, ctx.es, index, createLogger({ name: 'case-mirror-test', level: 'silent' }));
  expect(await mirror.flushOnce()).toBe(1);
  expect((await ctx.es.get({ index, id: 'c_mirror_good' }))._id).toBe('c_mirror_good');
  expect(await ctx.redis.sismember(keys.shardOf('c_mirror_bad').dirty, 'c_mirror_bad')).toBe(1);
  expect(await ctx.redis.sismember(keys.shardOf('c_mirror_good').dirty, 'c_mirror_good')).toBe(0);
});
