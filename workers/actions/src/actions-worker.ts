import { Worker, type ConnectionOptions, type WorkerOptions } from 'bullmq';
import { catalogProcessor, type Logger } from '@takedown/shared';
import { applyDecision, type ActionsDeps } from './apply-decision';

export interface ActionsWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** Lock and stall tuning; tests shorten them to see a killed worker's job come back quickly. */
  tuning?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
}

/** The BullMQ worker on `actions` (jobId = decision id). */
export function createActionsWorker(deps: ActionsDeps, o: ActionsWorkerOptions): Worker {
  const worker = new Worker(
    'actions',
    catalogProcessor('actions', (job) => applyDecision(deps, job)),
    { connection: o.connection, prefix: o.prefix, concurrency: o.concurrency, ...o.tuning },
  );
  worker.on('failed', (job, err) => {
    o.logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'applying a decision failed');
  });
  worker.on('error', (err) => o.logger.error({ err }, 'actions worker error'));
  return worker;
}
