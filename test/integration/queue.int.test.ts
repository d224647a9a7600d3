import { Worker, type Job } from 'bullmq';
import { ADD_VALID_CHUNK, CatalogQueue, PartialAddError, catalogProcessor, createRedisClient, closeRedisClient, redisTarget, requestPathQueueOptions, type ReportJob, queuePrefixFor } from '@takedown/shared';
import { createTestContext, eventually, type TestContext } from '../support/test-context';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext('queue');
});
afterAll(async () => {
  await ctx.cleanup();
});

function report(reportId: string): ReportJob {
  return {
    reportId,
    receivedAt: new Date().toISOString(),
    content: { id: 'post-1', type: 'post', text: 'selling stuff', authorId: 'user-1' },
    reporter: { type: 'user', id: 'u-9' },
    reason: 'drugs',
  };
}

describe('BullMQ on the real Redis, through the job catalog', () => {
  it('adds a job and a worker processes it; the same jobId twice is one job', async () => {
    const queue = new CatalogQueue('reports', ctx.bullConnection, ctx.config.queuePrefix);
    const seen: string[] = [];
    const worker = new Worker(
      'reports',
      catalogProcessor('reports', async (data) => {
        seen.push(data.reportId);
        return { ok: true };
      }),
      { connection: ctx.bullConnection, prefix: queuePrefixFor(ctx.config.queuePrefix, 'reports'), autorun: false },
    );
    try {
      const a = await queue.add(report('r-1'), { jobId: 'r-1' });
      const b = await queue.add(report('r-1'), { jobId: 'r-1' });
      expect(a.id).toBe('r-1');
      expect(b.id).toBe('r-1');
      expect(await queue.queue.getJobCountByTypes('waiting')).toBe(1);
      void worker.run();
      await eventually(async () => (await queue.queue.getCompletedCount()) === 1);
      expect(seen).toEqual(['r-1']);
      const job = await queue.queue.getJob('r-1');
      expect(job?.returnvalue).toEqual({ ok: true });
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('refuses an invalid payload at add time, naming the field', async () => {
    const queue = new CatalogQueue('reports', ctx.bullConnection, ctx.config.queuePrefix);
    try {
      const bad = { ...report('r-2'), reason: 'spam' } as unknown as ReportJob;
      await expect(queue.add(bad)).rejects.toMatchObject({ code: 'invalid_request', field: '/reason' });
      expect(await queue.queue.count()).toBe(0);
    } finally {
      await queue.close();
    }
  });

  it('adds a batch bigger than one transaction in chunks, naming the invalid payloads and queueing the rest', async () => {
    const queue = new CatalogQueue('reports', ctx.bullConnection, ctx.config.queuePrefix);
    try {
      const n = 2 * ADD_VALID_CHUNK + 50;
      const jobs = Array.from({ length: n }, (_, i) => ({ data: i === 130 ? ({ ...report(`b-${i}`), reason: 'spam' } as unknown as ReportJob) : report(`b-${i}`), opts: { jobId: `b-${i}` } }));
      const out = await queue.addValid(jobs);
      expect(out.added).toBe(n - 1);
      expect(out.invalid).toEqual([{ index: 130, error: expect.stringContaining('/reason') }]);
      expect(await queue.queue.count()).toBe(n - 1);
      expect(await queue.queue.getJob('b-130')).toBeUndefined();
      expect(await queue.queue.getJob(`b-${n - 1}`)).toBeDefined();
    } finally {
      // The tests after this one count the queue's jobs.
      await queue.queue.drain();
      await queue.close();
    }
  });

  it('names every job not confirmed when the queue is unreachable, and queues none of them', async () => {
    const connection = createRedisClient(redisTarget(ctx.config.redis), requestPathQueueOptions('test:queue:dead'));
    const queue = new CatalogQueue('reports', connection, ctx.config.queuePrefix);
    try {
      await connection.ping();
      connection.disconnect();
      const jobs = Array.from({ length: ADD_VALID_CHUNK + 5 }, (_, i) => ({ data: report(`d-${i}`), opts: { jobId: `d-${i}` } }));
      const err = await queue.addValid(jobs).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(PartialAddError);
      expect((err as PartialAddError).pending).toEqual(jobs.map((_, i) => i));
      expect((err as PartialAddError).added).toBe(0);
      expect((err as PartialAddError).message).not.toContain('selling stuff');
      expect(await ctx.bullConnection.exists(`${queuePrefixFor(ctx.config.queuePrefix, 'reports')}:reports:d-0`)).toBe(0);
    } finally {
      await queue.close().catch(() => undefined);
      await closeRedisClient(connection).catch(() => undefined);
    }
  });

  it('fails a job whose payload is invalid at pickup without retrying, and keeps it in the failed set', async () => {
    const queue = new CatalogQueue('reports', ctx.bullConnection, ctx.config.queuePrefix);
    // Bypass the catalog on purpose, as an old producer or a hand edit would.
    await queue.queue.add('reports', { reportId: 'r-3' }, { jobId: 'r-3', attempts: 5 });
    let calls = 0;
    const worker = new Worker(
      'reports',
      catalogProcessor('reports', async () => {
        calls++;
      }),
      { connection: ctx.bullConnection, prefix: queuePrefixFor(ctx.config.queuePrefix, 'reports') },
    );
    try {
      const failed = await eventually(async () => {
        const jobs: Job[] = await queue.queue.getFailed();
        return jobs.find((j) => j.id === 'r-3');
      });
      expect(calls).toBe(0);
      expect(failed.attemptsMade).toBe(1);
      expect(failed.failedReason).toMatch(/invalid payload: reports job: \/receivedAt is required/);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('retries on a transient failure', async () => {
    const queue = new CatalogQueue('reports', ctx.bullConnection, ctx.config.queuePrefix);
    let attempts = 0;
    const worker = new Worker(
      'reports',
      catalogProcessor('reports', async () => {
        attempts++;
        if (attempts === 1) throw new Error('transient: Elasticsearch unreachable');
        return 'done';
      }),
      { connection: ctx.bullConnection, prefix: queuePrefixFor(ctx.config.queuePrefix, 'reports') },
    );
    try {
      await queue.add(report('r-4'), { jobId: 'r-4', backoff: { type: 'fixed', delay: 10 } });
      await eventually(async () => (await queue.queue.getJobState('r-4')) === 'completed');
      const job = await queue.queue.getJob('r-4');
      expect(attempts).toBe(2);
      expect(job?.returnvalue).toBe('done');
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('gives the job of a worker that died mid-job to another worker, so nothing acknowledged is lost', async () => {
    // A prefix of its own: earlier workers left a stalled-check guard key with
    // their 30 s interval on the shared one.
    const prefix = `{${ctx.prefix}-stall}`;
    const queue = new CatalogQueue('reports', ctx.bullConnection, prefix);
    const opts = { connection: ctx.bullConnection, prefix: queuePrefixFor(prefix, 'reports'), lockDuration: 800, stalledInterval: 300 };
    let startedOnA!: () => void;
    const pickedByA = new Promise<void>((r) => (startedOnA = r));
    // Worker A takes the job and never finishes it: it "dies" (force-closed,
    // so its lock is never renewed nor released).
    const workerA = new Worker(
      'reports',
      catalogProcessor('reports', () => {
        startedOnA();
        return new Promise(() => undefined);
      }),
      opts,
    );
    await queue.add(report('r-5'), { jobId: 'r-5' });
    await pickedByA;
    await workerA.close(true);
    const processedByB: string[] = [];
    const workerB = new Worker(
      'reports',
      catalogProcessor('reports', async (data) => {
        processedByB.push(data.reportId);
        return 'recovered';
      }),
      opts,
    );
    try {
      await eventually(async () => (await queue.queue.getJobState('r-5')) === 'completed', 20000);
      expect(processedByB).toEqual(['r-5']);
      expect((await queue.queue.getJob('r-5'))?.returnvalue).toBe('recovered');
    } finally {
      await workerB.close();
      await queue.close();
    }
  });
});
