import { createCatalogWorker, type CatalogWorkerOptions } from '@takedown/shared';
import type { Worker } from 'bullmq';
import { FoldBatcher } from './fold-batcher';
import { NoticeWriter } from './notice-writer';
import { ScanCache } from './scan-cache';
import { triageReport, type TriageDeps } from './triage-report';
import type { TriageMetrics } from './triage-metrics';

/**
 * The BullMQ worker on `reports`. Jobs running at once share round trips:
 * their content reads (ContentReader), case folds (FoldBatcher) and notice
 * writes (NoticeWriter) go out together, each job still completing only
 * once its own fold and notice are written; repeated posts reuse their
 * scan (ScanCache).
 */
export function createTriageWorker(deps: TriageDeps, o: CatalogWorkerOptions & { triageMetrics?: TriageMetrics }): Worker {
  const batched: TriageDeps = {
    ...deps,
    folds: deps.folds ?? new FoldBatcher(deps.cases),
    notices: { ...deps.notices, writer: deps.notices.writer ?? new NoticeWriter(deps.notices.es, deps.notices.index) },
    scans: deps.scans ?? new ScanCache(),
  };
  const counted = o.triageMetrics;
  return createCatalogWorker(
    'reports',
    async (report) => {
      const outcome = await triageReport(batched, report);
      counted?.triaged(outcome);
      return outcome;
    },
    o,
  );
}
