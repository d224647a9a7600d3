import { Gauge, type Registry } from '@takedown/shared';
import type { BackfillProgress } from './run-backfill';

/**
 * Progress of the backfill jobs this process is running, one series per job
 * (labelled by the ruleset version it tags for), dropped when the job ends:
 * `done / total` is how far it is.
 */
export function createBackfillMetrics(registry: Registry) {
  const registers = [registry];
  const done = new Gauge({ name: 'takedown_backfill_documents_done', help: 'Documents a running backfill job has gone through, by the ruleset version it tags for.', labelNames: ['ruleset_version'], registers });
  const total = new Gauge({ name: 'takedown_backfill_documents_total', help: 'Documents a running backfill job has to go through (grows when its sweep pass counts), by ruleset version.', labelNames: ['ruleset_version'], registers });
  const running = new Gauge({ name: 'takedown_backfill_jobs_running', help: 'Backfill jobs this process is running.', registers });
  const live = new Set<string>();
  return {
    progress(version: number, p: BackfillProgress): void {
      const labels = { ruleset_version: String(version) };
      if (p.phase === 'done' || p.phase === 'superseded') {
        done.remove(labels);
        total.remove(labels);
        live.delete(labels.ruleset_version);
      } else {
        done.set(labels, p.done);
        total.set(labels, p.total);
        live.add(labels.ruleset_version);
      }
      running.set(live.size);
    },
    /** A job that failed: its series go (BullMQ may retry it, which reports afresh). */
    ended(version: number): void {
      done.remove({ ruleset_version: String(version) });
      total.remove({ ruleset_version: String(version) });
      live.delete(String(version));
      running.set(live.size);
    },
  };
}

export type BackfillMetrics = ReturnType<typeof createBackfillMetrics>;
