import { Counter, type Registry } from '@takedown/shared';
import type { TriageOutcome } from './triage-report';

/** Reports this triage process folded, by what came of each (enqueued, rescored, attached, duplicate). */
export function createTriageMetrics(registry: Registry) {
  const reports = new Counter({
    name: 'takedown_triage_reports_total',
    help: 'Reports triaged by this process, by outcome: enqueued (a new case), rescored (an open case re-prioritised), attached (to a decided case), duplicate.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return {
    triaged(o: TriageOutcome): void {
      reports.inc({ outcome: o.result });
    },
  };
}

export type TriageMetrics = ReturnType<typeof createTriageMetrics>;
