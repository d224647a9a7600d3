import type { Worker } from 'bullmq';
import { createCatalogWorker, type CatalogWorkerOptions } from '@takedown/shared';
import { preserve, producePackage, releaseDueNotices, type LegalWorkerDeps } from './legal-jobs';

/** The three legal queues' workers: packages, preservations, notices. */
export function createLegalWorkers(deps: LegalWorkerDeps, o: CatalogWorkerOptions): Worker[] {
  return [
    createCatalogWorker('legal-package', async (data) => producePackage(deps, data.requestId), o),
    createCatalogWorker('legal-preserve', async (data) => preserve(deps, data.requestId), o),
    createCatalogWorker('legal-notice', async (data) => releaseDueNotices(deps, data.requestId), o),
  ];
}
