import { Worker } from 'bullmq';
import { UnrecoverableError, queuePrefixFor } from '@takedown/shared';
import { createActionsWorker, startOutboxSweeper } from '@takedown/actions-worker';
import { claimCase, reportBody, startPipeline, type Pipeline } from '../support/pipeline';
import { eventually } from '../support/test-context';

/**
 * A decision whose actions job failed for good (Elasticsearch away longer
 * than the job's backoff lasts: found by fault scenario R3's review of the
 * retry policy) is still applied: the outbox sweeper starts the job over,
 * where adding it again under its id would do nothing.
 */

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline('outbox-sweeper');
});
afterAll(async () => {
  await p.stop();
});

test('a decision whose actions job ran out of attempts is applied once the sweeper starts it over', async () => {
  const index = p.ctx.config.contentIndex;
  await p.ctx.es.index({ index, id: 'outbox-post', document: { id: 'outbox-post', type: 'post', text: 'market bread', authorId: 'a1', createdAt: '2026-11-01T00:00:00Z' }, refresh: true });
  expect((await p.call('POST', '/v1/reports', p.tokens.reporter, reportBody('outbox-post'))).status).toBe(202);
  const claimed = await eventually(() => claimCase(p, 'outbox-post').catch(() => undefined));
  // The pipeline's worker steps aside (closed: a paused one may still hold a job it fetched); one that fails every job for good (as the last attempt of an outage does) takes its place.
  await p.actions.close();
  const failing = new Worker(
    'actions',
    async () => {
      // Unrecoverable: straight to the failed set, where a job whose attempts ran out ends.
      throw new UnrecoverableError('connect ECONNREFUSED (Elasticsearch down past the last attempt)');
    },
    { connection: p.ctx.bullConnection, prefix: queuePrefixFor(p.ctx.config.queuePrefix, 'actions') },
  );
  const d = await p.call('POST', `/v1/review/${claimed.case.id}/decision`, p.tokens.moderator, { leaseToken: claimed.lease.token, action: 'remove', category: 'drugs', legalGround: 'sale of drugs' });
  expect(d.status).toBe(201);
  const decisionId = d.body.decisionId as string;
  try {
    await eventually(async () => (await p.deps.actions.queue.getJob(decisionId))?.isFailed());
  } finally {
    await failing.close();
  }
  // Adding it again, as the sweeper did before, leaves it failed.
  await p.deps.actions.add((await p.deps.actions.queue.getJob(decisionId))!.data, { jobId: decisionId });
  expect(await (await p.deps.actions.queue.getJob(decisionId))!.isFailed()).toBe(true);

  const actions = createActionsWorker(p.actionsDeps, { connection: p.ctx.bullConnection, prefix: p.ctx.config.queuePrefix, concurrency: 1, logger: p.deps.logger });
  const stop = startOutboxSweeper(p.deps.cases, p.deps.actions, p.deps.logger, 0, 100);
  try {
    await eventually(async () => (await p.deps.cases.decision(claimed.case.id, decisionId))?.appliedAt, 15_000);
  } finally {
    stop();
    await actions.close();
  }
  const doc = await p.ctx.es.get<{ moderation?: { state?: string } }>({ index, id: 'outbox-post' });
  expect(doc._source?.moderation?.state).toBe('removed');
});
