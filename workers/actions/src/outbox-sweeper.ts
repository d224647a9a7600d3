import { actionJobFor, type CaseStore, type CatalogQueue, type Logger } from '@takedown/shared';

/**
 * Re-enqueues decisions recorded but not applied after `staleMs`: the
 * process that recorded one may have died before adding its actions job.
 * The job id is the decision id, so a job that does exist is not doubled.
 */
export function startOutboxSweeper(cases: CaseStore, actions: CatalogQueue<'actions'>, logger: Logger, staleMs = 30000, everyMs = 10000): () => void {
  const sweep = async () => {
    try {
      for (const id of await cases.staleOutbox(staleMs)) {
        const d = await cases.decision(id);
        if (!d || d.appliedAt) continue;
        await actions.add(actionJobFor(d), { jobId: d.id });
      }
    } catch (err) {
      logger.error({ err }, 'outbox sweep failed; will retry');
    }
  };
  const timer = setInterval(() => void sweep(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
