import { TAKEDOWN_LATENCY_BUCKETS_MS, liveWorkers, renderHistogram, renderSamples } from '@takedown/shared';
import type { ApiDeps } from '../deps';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/**
 * Prometheus text exposition (version 0.0.4) of queues, decisions and
 * takedown latency. The csam lane's figures go only to a caller holding the
 * csam grant (give the scraper's token the grant to collect them).
 */
export async function renderMetrics(deps: ApiDeps, opts: { csam: boolean }): Promise<string> {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [Record<string, string>, number][]) => {
    out.push(...renderSamples(name, type, help, samples));
  };

  const lanes = (await deps.cases.laneStats()).filter((l) => opts.csam || l.lane !== 'csam');
  metric('takedown_review_queue_depth', 'gauge', 'Open cases waiting on each review queue.', lanes.map((l) => [{ queue: l.lane }, l.depth]));
  metric('takedown_review_queue_oldest_age_seconds', 'gauge', 'How long the longest-waiting open case has waited, per review queue.', lanes.map((l) => [{ queue: l.lane }, Math.round(l.oldestAgeSeconds)]));
  metric('takedown_review_leases', 'gauge', 'Cases currently claimed by a moderator.', [[{}, await deps.redis.zcard(deps.cases.keys.leases)]]);

  const jobSamples: [Record<string, string>, number][] = [];
  for (const q of deps.queues) {
    const counts = await q.getJobCounts(...JOB_STATES);
    for (const s of JOB_STATES) jobSamples.push([{ queue: q.name, state: s }, counts[s] ?? 0]);
  }
  metric('takedown_jobs', 'gauge', 'BullMQ jobs per queue and state; failed jobs stay until retried or discarded.', jobSamples);

  const decisions = await deps.redis.hgetall(deps.cases.keys.decisionCounts);
  metric('takedown_decisions_total', 'counter', 'Decisions recorded, by action.', Object.entries(decisions).map(([action, n]) => [{ action }, Number(n)]));

  metric('takedown_decisions_unapplied', 'gauge', 'Decisions recorded but not yet applied to content (the outbox).', [[{}, await deps.redis.zcard(deps.cases.keys.outbox)]]);

  const h = await deps.redis.hgetall(deps.cases.keys.takedownLatency);
  out.push(
    ...renderHistogram(
      'takedown_decision_to_takedown_seconds',
      'Time from a decision to its application to the content.',
      TAKEDOWN_LATENCY_BUCKETS_MS.map((ms) => [ms / 1000, Number(h[`le:${ms}`] ?? 0)]),
      Number(h['sum'] ?? 0) / 1000,
      Number(h['count'] ?? 0),
    ),
  );

  const workers = await liveWorkers(deps.redis, deps.cases.keys);
  metric('takedown_workers_live', 'gauge', 'Worker processes with a recent heartbeat, by kind.', ['triage', 'actions', 'backfill'].map((k) => [{ kind: k }, workers[k] ?? 0]));
  return `${out.join('\n')}\n`;
}
