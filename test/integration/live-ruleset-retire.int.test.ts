import { createLogger, redisTarget, startLiveRuleset, RulesetStore, rulesetKeys } from '@takedown/shared';
import { compileStoredRuleset, match, releaseRuleset, RegexReleasedError, testing, type CompiledRuleset } from '@takedown/search-rules';
import { createTestContext, type TestContext } from '../support/test-context';

// A hot reload retires the replaced ruleset a grace period after the swap
// (freeing its RE2 heap), never the loaded one; against the real Redis.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext('live-ruleset-retire');
});
afterAll(async () => {
  await ctx.cleanup();
});

const GRACE_MS = 400;
const rules = (word: string) => [testing.rule('t', word), testing.rule('x', String.raw`ab+c`, { kind: 'regex' })];

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('retires the replaced ruleset after the grace period, and not the current one', async () => {
  const queuePrefix = `${ctx.config.queuePrefix}:retire`;
  const store = new RulesetStore(ctx.redis, rulesetKeys(queuePrefix));
  await store.publish(rules('spam'), 'lead');
  const retired: { version: number; at: number }[] = [];
  const live = await startLiveRuleset<CompiledRuleset>({
    redis: ctx.redis,
    redisTarget: redisTarget(ctx.config.redis),
    queuePrefix,
    name: 'retire-test',
    compile: (r) => compileStoredRuleset(r, { trusted: true }),
    logger: createLogger({ name: 'retire-test', level: 'silent' }),
    retire: (old) => {
      retired.push({ version: old.version, at: Date.now() });
      releaseRuleset(old);
    },
    retireGraceMs: GRACE_MS,
  });
  try {
    const first = live.rules.current().compiled;
    expect(match(first, 'abbc', 'content')).toHaveLength(1);
    const v2 = await store.publish(rules('scam'), 'lead');
    await until(() => live.rules.version === v2.version);
    const swappedAt = Date.now();
    // An in-flight search holding the old ruleset still matches during the grace period.
    expect(retired).toEqual([]);
    expect(match(first, 'abbc', 'content')).toHaveLength(1);
    await until(() => retired.length > 0, GRACE_MS + 5000);
    expect(retired).toEqual([{ version: first.version, at: expect.any(Number) }]);
    expect(retired[0]!.at - swappedAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(() => match(first, 'abbc', 'content')).toThrow(RegexReleasedError);
    // The current one is never retired and keeps matching.
    await new Promise((r) => setTimeout(r, GRACE_MS * 2));
    expect(retired).toHaveLength(1);
    const current = live.rules.current().compiled;
    expect(current.version).toBe(v2.version);
    expect(match(current, 'abbc scam', 'content')).toHaveLength(2);
  } finally {
    await live.stop();
  }
});
