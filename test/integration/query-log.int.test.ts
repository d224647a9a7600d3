import { createLogger } from '@takedown/shared';
import { QueryLog, QUERY_LOG_SIZE } from '@takedown/search-service';
import { createTestContext, type TestContext } from '../support/test-context';

// The search service's query log: sampled texts buffered and written to
// Redis in one pipeline per flush, newest first, bounded, and written out
// on stop (real Redis).
let ctx: TestContext;
const logger = createLogger({ name: 'query-log-test', level: 'silent' });

beforeAll(async () => {
  ctx = await createTestContext('query-log');
});
afterAll(async () => {
  await ctx.cleanup();
});

const key = (name: string) => ({ queryLog: `${ctx.config.queuePrefix}:rules:query-log:${name}` });

describe('QueryLog', () => {
  it('writes buffered texts on its interval, newest first, as one LPUSH each would have', async () => {
    const keys = key('interval');
    const log = new QueryLog(ctx.redis, keys, logger, 50);
    log.start();
    try {
      log.add('first');
      log.add('second');
      expect(await ctx.redis.lrange(keys.queryLog, 0, -1)).toEqual([]);
      for (let i = 0; i < 100 && (await ctx.redis.llen(keys.queryLog)) < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await ctx.redis.lrange(keys.queryLog, 0, -1)).toEqual(['second', 'first']);
      log.add('third');
      for (let i = 0; i < 100 && (await ctx.redis.llen(keys.queryLog)) < 3; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await ctx.redis.lrange(keys.queryLog, 0, -1)).toEqual(['third', 'second', 'first']);
    } finally {
      await log.stop();
    }
  });

  it('writes what is left when stopped, and keeps only the newest QUERY_LOG_SIZE texts', async () => {
    const keys = key('bound');
    const log = new QueryLog(ctx.redis, keys, logger, 60_000);
    log.start();
    await ctx.redis.lpush(keys.queryLog, 'old-1', 'old-2');
    for (let i = 0; i < QUERY_LOG_SIZE + 5; i++) log.add(`q${i}`);
    await log.stop();
    const all = await ctx.redis.lrange(keys.queryLog, 0, -1);
    expect(all.length).toBe(QUERY_LOG_SIZE);
    expect(all[0]).toBe(`q${QUERY_LOG_SIZE + 4}`);
    expect(all[all.length - 1]).toBe('q5');
    expect(all).not.toContain('old-1');
  });

  it('logs a failed write and drops the batch instead of throwing', async () => {
    const keys = key('failing');
    await ctx.redis.set(keys.queryLog, 'not a list');
    const warnings: unknown[] = [];
    const log = new QueryLog(ctx.redis, keys, { warn: (o: unknown) => warnings.push(o) }, 60_000);
    log.add('lost');
    await expect(log.flush()).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    await ctx.redis.del(keys.queryLog);
    await log.flush();
    expect(await ctx.redis.exists(keys.queryLog)).toBe(0);
  });
});
