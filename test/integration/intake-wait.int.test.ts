import { CatalogQueue, ReplicationTimeoutError, type ReportJob } from '@takedown/shared';
import { reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { startIngest } from '../support/ingest-service';

/**
 * Durable acknowledgement on the single-node defaults: the dev Redis has no
 * replica, so with TAKEDOWN_INTAKE_WAIT_REPLICAS=1 no report can be confirmed
 * by one, and intake must not acknowledge it (503 with Retry-After, never
 * 202). The cluster suite (redis-pipeline.cluster.test.ts) covers the other side.
 */

let p: Pipeline;
beforeAll(async () => {
  // No triage: nothing here needs the reports worked, and the shared box is small.
  p = await startPipeline('intake-wait', { startTriage: false, intake: { waitReplicas: 1, waitTimeoutMs: 100 } });
});
afterAll(async () => {
  await p.stop();
});

test('with TAKEDOWN_INTAKE_WAIT_REPLICAS=1 and no replica, POST /v1/reports answers 503 replication_timeout with Retry-After (not acknowledged)', async () => {
  const info = await p.ctx.redis.info('replication');
  // The premise: this Redis has no replica to confirm anything.
  expect(info).toMatch(/connected_slaves:0/);
  const r = await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('wait-no-replica', { reportId: 'wait-1' }));
  expect(r.status).toBe(503);
  expect(r.body.error.code).toBe('replication_timeout');
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(r.body.reportId).toBeUndefined();
});

test('the same queue without WAIT acknowledges; with WAIT 1 a bulk add is refused too', async () => {
  const job = (id: string): ReportJob => ({
    reportId: id,
    receivedAt: new Date().toISOString(),
    content: { id: `c-${id}`, type: 'post', text: 'x', authorId: 'a1' },
    reporter: { type: 'user' },
    reason: 'drugs',
  });
  const plain = new CatalogQueue('reports', p.ctx.bullConnection, p.ctx.config.queuePrefix);
  const durable = new CatalogQueue('reports', p.ctx.bullConnection, p.ctx.config.queuePrefix, { replicas: 1, timeoutMs: 50 });
  try {
    expect((await plain.add(job('plain-1'), { jobId: 'plain-1' })).id).toBe('plain-1');
    // A bulk add names the jobs not acknowledged, with the replication timeout's code.
    await expect(durable.addValid([{ data: job('bulk-1'), opts: { jobId: 'bulk-1' } }])).rejects.toMatchObject({ code: 'replication_timeout', pending: [0], added: 0 });
    // Zero replicas asked for: WAIT 0 is trivially met, and nothing is refused.
    const zero = new CatalogQueue('reports', p.ctx.bullConnection, p.ctx.config.queuePrefix, { replicas: 0, timeoutMs: 50 });
    expect((await zero.add(job('zero-1'), { jobId: 'zero-1' })).id).toBe('zero-1');
    await zero.close();
  } finally {
    await plain.close();
    await durable.close();
  }
});

test("ingest with TAKEDOWN_INTAKE_WAIT_REPLICAS=1 and no replica stores a flagged post but answers the item 429 (its review case is not acknowledged)", async () => {
  const ingest = await startIngest(p.ctx.config, { intake: { waitReplicas: 1, waitTimeoutMs: 100 } });
  try {
    const index = p.ctx.config.contentIndex;
    const res = await fetch(`${ingest.url}/${index}/_doc/wait-ingest-1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${p.tokens.ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'wait-ingest-1', type: 'post', text: 'Selling cocaine tonight', authorId: 'a1', lang: 'en', createdAt: '2026-11-20T10:00:00.000Z' }),
    });
    const body = (await res.json()) as { error?: { reason?: string } };
    expect(res.status).toBe(429);
    expect(body.error?.reason).toMatch(/review case could not be queued/);
  } finally {
    await ingest.stop();
  }
});
