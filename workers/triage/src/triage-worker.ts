import { Worker, type ConnectionOptions, type WorkerOptions } from 'bullmq';
import { catalogProcessor, type Logger } from '@takedown/shared';
import { triageReport, type TriageDeps } from './triage-report';

export interface TriageWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** Lock and stall tuning; tests shorten them to see a killed worker's job come back quickly. */
  tuning?: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'>;
}

/** The BullMQ worker on `reports`; each job's payload is validated when picked up. */
export function createTriageWorker(deps: TriageDeps, o: TriageWorkerOptions): Worker {
  const worker = new Worker(
    'reports',
    catalogProcessor('reports', (report) => triageReport(deps, report)),
    { connection: o.connection, prefix: o.prefix, concurrency: o.concurrency, ...o.tuning },
  );
  worker.on('failed', (job, err) => {
    o.logger.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'report triage failed');
  });
  worker.on('error', (err) => o.logger.error({ err }, 'triage worker error'));
  return worker;
}
