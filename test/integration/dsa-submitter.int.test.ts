import { TdbSubmitter, createTdbClient, type SubmitterOptions } from '@takedown/dsa-submitter';
import { StatementSubmissions, createLogger, ensureTakedownIndices, moderationKeys, readSubmissionStats, runScript, submissionKeys, type SubmissionKeys } from '@takedown/shared';
import { readStatement, seedStatements, storedStatement, tdbStatement } from '../support/stored-statements';
import { startTdbStandIn, type TdbStandIn } from '../support/tdb-stand-in';
import { createTestContext, eventually, type TestContext } from '../support/test-context';

/**
 * The submitter against the stand-in database (test/support/tdb-stand-in.ts,
 * which applies the database's own rules) with real Elasticsearch and Redis.
 * The clock is the test's: retries become due when the test moves it, so
 * nothing waits on timers.
 */
describe('DSA submitter against the Transparency Database stand-in', () => {
  let ctx: TestContext;
  let tdb: TdbStandIn;
  let index: string;
  let keys: SubmissionKeys;
  let clock: number;
  let seq = 0;
  const logger = createLogger({ name: 'dsa-submitter-test', level: 'silent' });
  const options: SubmitterOptions = { batchSize: 100, intervalMs: 1000, timeoutMs: 500, maxAttempts: 3, backoff: { baseMs: 1000, capMs: 60_000 } };

  beforeAll(async () => {
    ctx = await createTestContext('dsa-submitter');
    index = (await ensureTakedownIndices(ctx.es, ctx.prefix, 0)).statements;
    keys = submissionKeys(moderationKeys(ctx.config.queuePrefix, 1));
  });
  afterAll(async () => {
    await ctx.cleanup();
  });
  beforeEach(async () => {
    tdb = await startTdbStandIn();
    clock = Date.parse('2026-11-30T12:00:00Z');
    // Each test its own lock holder and stats: rounds of earlier tests must not hold the lock.
    await ctx.redis.del(keys.lock, keys.stats);
  });
  afterEach(async () => {
    await tdb.close();
  });

  const submissions = () => new StatementSubmissions(ctx.es, index);
  function submitter(o: Partial<SubmitterOptions> = {}, token = tdb.token, instanceId = 'test-submitter'): TdbSubmitter {
    const opts = { ...options, ...o };
    return new TdbSubmitter(
      { statements: submissions(), client: createTdbClient({ url: tdb.url, token, timeoutMs: opts.timeoutMs }), redis: ctx.redis, keys, instanceId, logger, now: () => new Date(clock), random: () => 0.5 },
      opts,
    );
  }
  /** Seeds pending statements with fresh puids (oldest first) and returns the puids. */
  async function seed(n: number, edit: (i: number, puid: string) => Record<string, unknown> = (_i, p) => tdbStatement(p)): Promise<string[]> {
    const puids = Array.from({ length: n }, () => `dec-${process.pid}-${++seq}`);
    await seedStatements(
      ctx.es,
      index,
      puids.map((p, i) => storedStatement(p, edit(i, p), new Date(clock - 60_000 + i).toISOString())),
    );
    return puids;
  }
  const read = (puid: string) => readStatement(ctx.es, index, puid);

  it('submits a batch in one call and records each statement as submitted with the database uuid', async () => {
    const puids = await seed(3);
    const r = await submitter().round();
    expect(r).toMatchObject({ lockHeld: true, picked: 3, calls: 1, submitted: 3, rejected: 0 });
    expect(tdb.calls).toEqual([{ path: '/api/v1/statements', status: 201, count: 3, puids }]);
    for (const p of puids) {
      const doc = await read(p);
      expect(doc).toMatchObject({ status: 'submitted', duplicate: false, submittedAt: new Date(clock).toISOString() });
      expect(doc.tdbUuid).toBe(tdb.stored.get(p)?.uuid);
    }
    // Sent verbatim: what the stand-in stored is the stored body.
    expect(tdb.stored.get(puids[0] as string)).toMatchObject(tdbStatement(puids[0] as string));
    expect(await readSubmissionStats(ctx.redis, keys.stats)).toMatchObject({ submitted: 3, calls: 1, latency_count: 1 });
    // Nothing is due any more.
    expect((await submitter().round()).picked).toBe(0);
  });

  it('takes at most the batch size per call, oldest first', async () => {
    const puids = await seed(5);
    const r = await submitter({ batchSize: 2 }).round();
    expect(r).toMatchObject({ picked: 2, submitted: 2 });
    expect(tdb.calls.map((c) => c.puids)).toEqual([puids.slice(0, 2)]);
    await submitter({ batchSize: 2 }).round();
    await submitter({ batchSize: 2 }).round();
    expect(tdb.calls.map((c) => c.count)).toEqual([2, 2, 1]);
    expect(tdb.stored.size).toBe(5);
  });

  it('retries after a 503 and a 429 with backoff, honours Retry-After, then submits', async () => {
    const puids = await seed(2);
    tdb.failNext(1, 503);
    let r = await submitter().round();
    expect(r).toMatchObject({ calls: 1, retried: 2, submitted: 0 });
    let doc = await read(puids[0] as string);
    expect(doc).toMatchObject({ status: 'pending', attempts: 1 });
    expect(doc.lastError).toMatch(/HTTP 503/);
    // Backoff: base 1000 ms, equal jitter at 0.5 → 750 ms.
    expect(Date.parse(doc.nextAttemptAt as string) - clock).toBe(750);
    // Not due yet: nothing is sent.
    expect((await submitter().round()).picked).toBe(0);

    clock += 1000;
    tdb.failNext(1, 429, 120);
    r = await submitter().round();
    expect(r).toMatchObject({ retried: 2 });
    doc = await read(puids[0] as string);
    expect(doc).toMatchObject({ status: 'pending', attempts: 2 });
    // Retry-After (120 s) is longer than the backoff (1500 ms), so it wins, and the round says to pause as long.
    expect(Date.parse(doc.nextAttemptAt as string) - clock).toBe(120_000);
    expect(r.pauseMs).toBe(120_000);
    clock += 60_000;
    expect((await submitter().round()).picked).toBe(0);

    clock += 61_000;
    r = await submitter().round();
    expect(r).toMatchObject({ submitted: 2 });
    expect(await read(puids[1] as string)).toMatchObject({ status: 'submitted', attempts: 2, duplicate: false });
    expect(tdb.calls.map((c) => c.status)).toEqual([503, 429, 201]);
    expect(await readSubmissionStats(ctx.redis, keys.stats)).toMatchObject({ retries: 4, submitted: 2, calls: 3 });
  });

  it('retries a call that timed out; when the database had stored it, the duplicate answer counts as submitted', async () => {
    const puids = await seed(2);
    // The database stores the batch but its answer never comes (the answer, not the statements, is lost).
    tdb.hangNext(1, { store: true });
    let r = await submitter().round();
    expect(r).toMatchObject({ calls: 1, retried: 2 });
    expect((await read(puids[0] as string)).lastError).toMatch(/timed out after 500 ms/);
    clock += 10_000;
    r = await submitter().round();
    expect(r).toMatchObject({ duplicates: 2, submitted: 0 });
    for (const p of puids) expect(await read(p)).toMatchObject({ status: 'submitted', duplicate: true });
    expect(tdb.stored.size).toBe(2);
  });

  it('a timeout where nothing was stored is retried and then submitted', async () => {
    const [puid] = await seed(1);
    tdb.hangNext(1);
    await submitter().round();
    expect(tdb.stored.size).toBe(0);
    clock += 10_000;
    expect(await submitter().round()).toMatchObject({ submitted: 1 });
    expect(await read(puid as string)).toMatchObject({ status: 'submitted', duplicate: false, attempts: 1 });
  });

  it('puids the database has already count as submitted (duplicate), and the rest of the batch goes again', async () => {
    const puids = await seed(3);
    tdb.preload(puids[1] as string);
    const r = await submitter().round();
    expect(r).toMatchObject({ calls: 2, duplicates: 1, submitted: 2 });
    expect(tdb.calls.map((c) => [c.status, c.count])).toEqual([
      [422, 3],
      [201, 2],
    ]);
    expect(await read(puids[1] as string)).toMatchObject({ status: 'submitted', duplicate: true });
    expect(await read(puids[0] as string)).toMatchObject({ status: 'submitted', duplicate: false });
    expect(await read(puids[2] as string)).toMatchObject({ status: 'submitted', duplicate: false });
    expect(await readSubmissionStats(ctx.redis, keys.stats)).toMatchObject({ duplicates: 1, submitted: 2 });
  });

  it('a batch with one bad statement: that one is rejected with the database messages, the others are submitted', async () => {
    // "UN" is no ISO 639-1 language: the database refuses it (and a legacy v1 category).
    const puids = await seed(3, (i, p) => (i === 1 ? tdbStatement(p, { content_language: 'UN', category: 'STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE' }) : tdbStatement(p)));
    const r = await submitter().round();
    expect(r).toMatchObject({ calls: 2, rejected: 1, submitted: 2 });
    // All or nothing: the first call stored nothing; the second carried the two good ones.
    expect(tdb.calls.map((c) => [c.status, c.count])).toEqual([
      [422, 3],
      [201, 2],
    ]);
    const bad = await read(puids[1] as string);
    expect(bad.status).toBe('rejected');
    expect(bad.problems).toEqual(
      expect.arrayContaining([
        { field: 'content_language', code: 'tdb_rejected', message: 'The selected content language is invalid.' },
        { field: 'category', code: 'tdb_rejected', message: 'The selected category is invalid.' },
      ]),
    );
    expect(tdb.stored.has(puids[1] as string)).toBe(false);
    for (const p of [puids[0], puids[2]]) expect(await read(p as string)).toMatchObject({ status: 'submitted' });
    // Rejected is final until a lead requeues it.
    expect((await submitter().round()).picked).toBe(0);
  });

  it('a refused token (401) leaves every statement pending with no attempt counted', async () => {
    const puids = await seed(2);
    const r = await submitter({}, 'wrong-token').round();
    expect(r).toMatchObject({ authRefused: true, calls: 1, pauseMs: options.backoff.capMs });
    expect(tdb.calls.map((c) => c.status)).toEqual([401]);
    for (const p of puids) {
      const doc = await read(p);
      expect(doc.status).toBe('pending');
      expect(doc.attempts).toBeUndefined();
      expect(doc.nextAttemptAt).toBeUndefined();
    }
    expect(await readSubmissionStats(ctx.redis, keys.stats)).toMatchObject({ auth_failures: 1 });
    // The right token then submits them.
    expect(await submitter().round()).toMatchObject({ submitted: 2 });
  });

  it('after the maximum attempts a statement is failed; a requeue puts it back to pending and it is then submitted', async () => {
    const [puid] = await seed(1);
    tdb.failNext(3, 500);
    for (let i = 0; i < 3; i++) {
      await submitter().round();
      clock += 3_600_000;
    }
    let doc = await read(puid as string);
    expect(doc).toMatchObject({ status: 'failed', attempts: 3 });
    expect(doc.lastError).toMatch(/HTTP 500/);
    expect((await submitter().round()).picked).toBe(0);
    expect(await readSubmissionStats(ctx.redis, keys.stats)).toMatchObject({ failed: 1, retries: 2 });

    expect(await submissions().requeue(puid as string)).toEqual({ outcome: 'requeued', from: 'failed' });
    doc = await read(puid as string);
    expect(doc).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: null, lastError: null });
    expect(await submitter().round()).toMatchObject({ submitted: 1 });
    expect(await read(puid as string)).toMatchObject({ status: 'submitted' });
    // A submitted statement is not requeued.
    expect(await submissions().requeue(puid as string)).toEqual({ outcome: 'not-requeueable', from: 'submitted' });
    expect(await submissions().requeue('no-such-puid')).toEqual({ outcome: 'missing' });
  });

  it('one batch in flight across submitters: a second one does nothing while the lock is held', async () => {
    await seed(1);
    await runScript(ctx.redis, 'renew-lock', [keys.lock], ['another-submitter', 60_000]);
    const r = await submitter().round();
    expect(r).toMatchObject({ lockHeld: false, picked: 0, calls: 0 });
    expect(tdb.calls).toEqual([]);
    await ctx.redis.del(keys.lock);
    expect(await submitter().round()).toMatchObject({ lockHeld: true, submitted: 1 });
  });

  it('running loops: two submitters at once submit every statement exactly once (one batch in flight, no double counting)', async () => {
    const puids = await seed(5);
    const a = submitter({ batchSize: 2, intervalMs: 50 }, tdb.token, 'submitter-a');
    const b = submitter({ batchSize: 2, intervalMs: 50 }, tdb.token, 'submitter-b');
    a.start();
    b.start();
    try {
      await eventually(async () => {
        for (const p of puids) if ((await read(p)).status !== 'submitted') return false;
        return true;
      }, 20_000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    expect(tdb.stored.size).toBe(5);
    // No batch went twice: every call was a 201, and the counters add up to the statements.
    expect(tdb.calls.map((c) => c.status)).toEqual([201, 201, 201]);
    expect(await readSubmissionStats(ctx.redis, keys.stats)).toMatchObject({ submitted: 5, calls: 3 });
    expect((await readSubmissionStats(ctx.redis, keys.stats))['duplicates']).toBeUndefined();
    // Stopped, they hand the lock on at once.
    expect(await ctx.redis.get(keys.lock)).toBeNull();
  });

  it("stopping never releases another submitter's lock", async () => {
    await runScript(ctx.redis, 'renew-lock', [keys.lock], ['another-submitter', 60_000]);
    await submitter().stop();
    expect(await ctx.redis.get(keys.lock)).toBe('another-submitter');
  });

  it('a result is not recorded over a change made meanwhile (optimistic concurrency)', async () => {
    const [puid] = await seed(1);
    const s = submissions();
    const [due] = await s.due(10, new Date(clock));
    // Another writer changes the document after it was read.
    await ctx.es.update({ index, id: puid as string, doc: { lastError: 'changed meanwhile' }, refresh: 'wait_for' });
    const lost = await s.record([{ item: due!, result: { kind: 'submitted', at: new Date(clock).toISOString(), duplicate: false } }]);
    expect(lost).toEqual([puid]);
    expect(await read(puid as string)).toMatchObject({ status: 'pending', lastError: 'changed meanwhile' });
  });
});
