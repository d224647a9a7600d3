import { createCatalogWorker, type CatalogWorkerOptions } from '@takedown/shared';
import type { Worker } from 'bullmq';
import { applyDecision, type ActionsDeps } from './apply-decision';

/** The BullMQ worker on `actions` (jobId = decision id). */
export function createActionsWorker(deps: ActionsDeps, o: CatalogWorkerOptions): Worker {
  return createCatalogWorker('actions', (data, job) => applyDecision(deps, data, job.id), o);
}
