import { createCatalogWorker, type CatalogWorkerOptions } from '@takedown/shared';
import type { Worker } from 'bullmq';
import { triageReport, type TriageDeps } from './triage-report';

/** The BullMQ worker on `reports`. */
export function createTriageWorker(deps: TriageDeps, o: CatalogWorkerOptions): Worker {
  return createCatalogWorker('reports', (report) => triageReport(deps, report), o);
}
