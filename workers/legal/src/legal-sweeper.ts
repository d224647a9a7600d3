import { appendLegalAudit, type LegalRequestRecord } from '@takedown/shared';
import { releaseDueNotices, type LegalWorkerDeps } from './legal-jobs';

/**
 * The legal worker's sweeper. Approval (in Elasticsearch) and its job (in
 * Redis) are two writes, not one: a process that dies between them leaves
 * an approved request with no job. So every `everyMs` the sweeper
 * re-enqueues approved requests that have waited `staleMs` without their
 * package (or preservation) — the job id is the request id, so a job that
 * does exist is not doubled. It also releases notices whose gag order has
 * lapsed (should the delayed job be lost) and deletes expired packages and
 * preservations. Each pass reads a bounded number of requests; the rest
 * wait for the next pass.
 */

const BATCH = 200;

export interface SweepResult {
  packagesEnqueued: string[];
  preservationsEnqueued: string[];
  noticesReleased: number;
  packagesDeleted: string[];
  preservationsDeleted: string[];
}

export async function sweepLegal(deps: LegalWorkerDeps, staleMs: number): Promise<SweepResult> {
  const now = deps.now ? deps.now() : new Date();
  const at = now.toISOString();
  const staleBefore = new Date(now.getTime() - staleMs).toISOString();
  const out: SweepResult = { packagesEnqueued: [], preservationsEnqueued: [], noticesReleased: 0, packagesDeleted: [], preservationsDeleted: [] };
  const source = ['id', 'type', 'state'];

  const unbuilt = await deps.store.scan(
    { bool: { filter: [{ term: { state: 'approved' } }, { terms: { type: ['records', 'emergency'] } }, { range: { 'times.approvedAt': { lte: staleBefore } } }], must_not: [{ exists: { field: 'package.id' } }] } },
    { source, limit: BATCH },
  );
  for (const r of unbuilt.records) {
    await deps.packages.add({ requestId: r.id }, { jobId: r.id });
    out.packagesEnqueued.push(r.id);
  }

  const unpreserved = await deps.store.scan(
    { bool: { filter: [{ term: { state: 'approved' } }, { term: { type: 'preservation' } }, { range: { 'times.approvedAt': { lte: staleBefore } } }], must_not: [{ exists: { field: 'preservation.preservedAt' } }] } },
    { source, limit: BATCH },
  );
  for (const r of unpreserved.records) {
    await deps.preservations.add({ requestId: r.id }, { jobId: r.id });
    out.preservationsEnqueued.push(r.id);
  }

  const lapsed = await deps.store.scan({ bool: { filter: [{ term: { 'notices.heldBy': 'gag' } }, { range: { nonDisclosureUntil: { lte: at } } }] } }, { source: ['id'], limit: BATCH });
  for (const r of lapsed.records) out.noticesReleased += await releaseDueNotices(deps, r.id);

  const expiredPackages = await deps.store.scan({ bool: { filter: [{ range: { 'package.expiresAt': { lte: at } } }], must_not: [{ exists: { field: 'package.deletedAt' } }] } }, { source: ['id'], limit: BATCH });
  for (const r of expiredPackages.records) {
    await deps.store.deletePackage(r.id);
    await deps.store.mutate(r.id, (rec) =>
      rec.package && !rec.package.deletedAt
        ? { ...rec, package: { ...rec.package, deletedAt: at }, history: [...rec.history, { event: 'package_deleted', by: 'system', at, note: 'retention period over' }], updatedAt: at }
        : undefined,
    );
    await appendLegalAudit(deps, { type: 'legal.package.deleted', actor: 'system', at, data: { requestId: r.id } });
    out.packagesDeleted.push(r.id);
  }

  const expiredPreservations = await deps.store.scan(
    { bool: { filter: [{ range: { 'preservation.expiresAt': { lte: at } } }], must_not: [{ exists: { field: 'preservation.deletedAt' } }] } },
    { source: ['id'], limit: BATCH },
  );
  for (const r of expiredPreservations.records) {
    const deleted = await deps.store.deletePreserved(r.id);
    await deps.store.mutate(r.id, (rec: LegalRequestRecord) =>
      rec.preservation && !rec.preservation.deletedAt
        ? { ...rec, preservation: { ...rec.preservation, deletedAt: at }, history: [...rec.history, { event: 'preservation_deleted', by: 'system', at, note: `${deleted} sign-in(s) deleted` }], updatedAt: at }
        : undefined,
    );
    await appendLegalAudit(deps, { type: 'legal.preservation.deleted', actor: 'system', at, data: { requestId: r.id, signIns: deleted } });
    out.preservationsDeleted.push(r.id);
  }
  return out;
}

export function startLegalSweeper(deps: LegalWorkerDeps, o: { everyMs: number; staleMs: number }): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      await sweepLegal(deps, o.staleMs);
    } catch (err) {
      deps.logger.error({ err: (err as Error).message }, 'legal sweep failed; will retry');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), o.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
