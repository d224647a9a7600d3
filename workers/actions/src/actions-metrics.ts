import { Counter, Histogram, TAKEDOWN_LATENCY_BUCKETS_MS, type Registry } from '@takedown/shared';
import type { ApplyOutcome } from './apply-decision';

/**
 * Decisions this actions process applied, and the time from each decision to
 * its application as this process saw it. The same time across every process
 * is kept in Redis (the moderation API's takedown_decision_to_takedown_seconds).
 * Failed jobs are counted by takedown_worker_jobs_total{queue="actions",outcome="failed"}.
 * Csam decisions are left out of the count by action: the API shows those
 * only to a scraper holding the csam grant, and a count here would show
 * them to every scraper.
 */
export function createActionsMetrics(registry: Registry) {
  const registers = [registry];
  const applied = new Counter({
    name: 'takedown_actions_decisions_total',
    help: 'Decisions this process handled, csam ones left out, by action and outcome: applied, replay (already applied: a retry or duplicate), superseded (a newer decision holds the content).',
    labelNames: ['action', 'outcome'],
    registers,
  });
  const latency = new Histogram({
    name: 'takedown_actions_decision_to_takedown_seconds',
    help: 'Time from a decision to its application by this process.',
    buckets: TAKEDOWN_LATENCY_BUCKETS_MS.map((ms) => ms / 1000),
    registers,
  });
  return {
    handled(decision: { action: string; category: string }, outcome: ApplyOutcome, latencyMs?: number): void {
      if (decision.category !== 'csam') applied.inc({ action: decision.action, outcome });
      if (outcome === 'applied' && latencyMs !== undefined) latency.observe(Math.max(0, latencyMs) / 1000);
    },
  };
}

export type ActionsMetrics = ReturnType<typeof createActionsMetrics>;
