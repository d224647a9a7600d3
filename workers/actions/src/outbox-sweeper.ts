import { actionJobFor, canonicalJson, type CaseStore, type CatalogQueue, type Logger } from '@takedown/shared';

/**
 * Re-enqueues decisions recorded but not applied after `staleMs`: the
 * process that recorded one may have died before adding its actions job.
 * The job id is the decision id, so a job that does exist is not doubled.
 *
 * A job whose attempts ran out (Elasticsearch away longer than the backoff
 * lasts, about four minutes) sits in the failed set under that id, where
 * adding it again does nothing: such a job, when it says what its decision
 * says, is started over, so a decision is applied after any outage. A job
 * refused for differing from its decision stays failed.
 */
export function startOutboxSweeper(cases: CaseStore, actions: CatalogQueue<'actions'>, logger: Logger, staleMs = 30000, everyMs = 10000): () => void {
  const sweep = async () => {
    try {
      for (const d of await cases.staleOutbox(staleMs)) {
        if (d.appliedAt) continue;
        const job = actionJobFor(d);
        const existing = await actions.queue.getJob(d.id);
        if (existing && (await existing.isFailed())) {
          if (canonicalJson(existing.data) !== canonicalJson(job)) continue;
          logger.warn({ decisionId: d.id, attemptsMade: existing.attemptsMade, failedReason: existing.failedReason }, 'actions job had failed for good; starting it over');
          await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          continue;
        }
        await actions.add(job, { jobId: d.id });
      }
    } catch (err) {
      logger.error({ err }, 'outbox sweep failed; will retry');
    }
  };
  const timer = setInterval(() => void sweep(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
