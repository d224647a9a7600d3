import { createCatalogWorker, type CatalogWorkerOptions } from '@takedown/shared';
import type { Worker } from 'bullmq';
import { runBackfill, type BackfillDeps } from './run-backfill';

/** The BullMQ worker on `backfill`. One job at a time per process: each job is already sliced. */
export function createBackfillWorker(deps: BackfillDeps, o: CatalogWorkerOptions): Worker {
  return createCatalogWorker(
    'backfill',
    (data, job) =>
      runBackfill(deps, data, job).catch((err: unknown) => {
        deps.metrics?.ended(data.rulesetVersion);
        throw err;
      }),
    o,
  );
}
