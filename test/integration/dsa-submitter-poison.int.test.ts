import { TdbSubmitter, createTdbClient, type SubmitterOptions } from '@takedown/dsa-submitter';
import { StatementSubmissions, createLogger, ensureTakedownIndices, moderationKeys, submissionKeys, type SubmissionKeys } from '@takedown/shared';
import { readStatement, seedStatements, storedStatement, tdbStatement } from '../support/stored-statements';
import { startTdbStandIn, type TdbStandIn } from '../support/tdb-stand-in';
import { createTestContext, type TestContext } from '../support/test-context';

/**
 * Review (issue 19): answers that refuse a whole batch without naming a
 * statement (413, or a 422 such as PHP failing to decode one statement's
 * text) must not take the good statements of the batch down with the bad
 * one. The clock is the test's; nothing waits on timers.
 */
describe('DSA submitter: a batch refused as a whole', () => {
  let ctx: TestContext;
  let tdb: TdbStandIn;
  let index: string;
  let keys: SubmissionKeys;
  let clock: number;
  let seq = 0;
  const logger = createLogger({ name: 'dsa-submitter-poison-test', level: 'silent' });
  const options: SubmitterOptions = { batchSize: 100, intervalMs: 1000, timeoutMs: 2000, maxAttempts: 3, backoff: { baseMs: 1000, capMs: 60_000 } };

  beforeAll(async () => {
    ctx = await createTestContext('dsa-submitter-poison');
    index = (await ensureTakedownIndices(ctx.es, ctx.prefix, 0)).statements;
    keys = submissionKeys(moderationKeys(ctx.config.queuePrefix, 1));
  });
  afterAll(async () => {
    await ctx.cleanup();
  });
  beforeEach(async () => {
    tdb = await startTdbStandIn();
    clock = Date.parse('2026-11-30T12:00:00Z');
    await ctx.redis.del(keys.lock, keys.stats);
  });
  afterEach(async () => {
    await tdb.close();
  });

  const submitter = () =>
    new TdbSubmitter(
      { statements: new StatementSubmissions(ctx.es, index), client: createTdbClient({ url: tdb.url, token: tdb.token, timeoutMs: options.timeoutMs }), redis: ctx.redis, keys, instanceId: 'poison-test', logger, now: () => new Date(clock), random: () => 0.5 },
      options,
    );
  async function seed(n: number, edit: (i: number, puid: string) => Record<string, unknown> = (_i, p) => tdbStatement(p)): Promise<string[]> {
    const puids = Array.from({ length: n }, () => `poison-${process.pid}-${++seq}`);
    await seedStatements(ctx.es, index, puids.map((p, i) => storedStatement(p, edit(i, p), new Date(clock - 60_000 + i).toISOString())));
    return puids;
  }
  /** Rounds until nothing is due, moving the clock past every retry (bounded). */
  async function drain(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const r = await submitter().round();
      if (r.picked === 0) return;
      clock += 120_000;
    }
  }

  it('one statement the database cannot decode (a 422 naming none): the others are submitted, that one is set apart', async () => {
    // Stored before the builder cleaned text: a lone surrogate in the facts.
    const puids = await seed(4, (i, p) => (i === 2 ? tdbStatement(p, { decision_facts: 'Removed after review \uD800 of a notice.' }) : tdbStatement(p)));
    await drain();
    for (const [i, p] of puids.entries()) {
      const doc = await readStatement(ctx.es, index, p);
      if (i === 2) expect(doc.status).toBe('rejected');
      else expect(doc).toMatchObject({ status: 'submitted' });
    }
    expect(tdb.stored.size).toBe(3);
  });

  it('a 413 (batch too large for the endpoint) splits the batch instead of spending attempts', async () => {
    const puids = await seed(4);
    tdb.failNext(1, 413);
    const r = await submitter().round();
    expect(r).toMatchObject({ submitted: 4, failed: 0 });
    expect(tdb.calls.map((c) => c.status)).toEqual([413, 201, 201]);
    expect(tdb.calls.map((c) => c.count)).toEqual([4, 2, 2]);
    for (const p of puids) expect((await readStatement(ctx.es, index, p)).attempts ?? 0).toBe(0);
  });
});
