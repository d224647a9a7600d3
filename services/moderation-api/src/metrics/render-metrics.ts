import {
  STATEMENT_RESULT_COUNTERS,
  SUBMISSION_LATENCY_BUCKETS_MS,
  StatementSubmissions,
  TAKEDOWN_LATENCY_BUCKETS_MS,
  caseFromHash,
  isCsamCase,
  liveWorkers,
  pipelined,
  readSubmissionStats,
  addStoredHistogram,
  addStoredSamples,
  Registry,
  submissionKeys,
  type StatementCounts,
} from '@takedown/shared';
import type { ApiDeps } from '../deps';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/**
 * Prometheus text exposition (version 0.0.4): the process's own registry
 * (Node's process and runtime metrics) merged with a registry built for this
 * scrape from Redis and Elasticsearch: queues, decisions and takedown latency. Csam figures go only to a caller holding the csam grant
 * (give the scraper's token the grant to collect them): without it the csam
 * lane is left out, leases count only cases that are not csam, and
 * decisions are those recorded on cases that were not csam (counted apart
 * by decide-11.lua and fold-report-18.lua since that count was introduced).
 */
export async function renderMetrics(deps: ApiDeps, opts: { csam: boolean }): Promise<string> {
  // Per scrape: the figures depend on the caller's grant, so they never sit on the process registry.
  const scrape = new Registry();
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [Record<string, string>, number][]) => {
    addStoredSamples(scrape, { name, type, help, samples });
  };

  const lanes = (await deps.cases.laneStats()).filter((l) => opts.csam || l.lane !== 'csam');
  metric('takedown_review_queue_depth', 'gauge', 'Open cases waiting on each review queue.', lanes.map((l) => [{ queue: l.lane }, l.depth]));
  metric('takedown_review_queue_oldest_age_seconds', 'gauge', 'How long the longest-waiting open case has waited, per review queue.', lanes.map((l) => [{ queue: l.lane }, Math.round(l.oldestAgeSeconds)]));
  const leases = opts.csam ? await deps.cases.leaseCount() : await leasesOutsideCsam(deps);
  metric('takedown_review_leases', 'gauge', 'Cases currently claimed by a moderator.', [[{}, leases]]);

  const jobSamples: [Record<string, string>, number][] = [];
  for (const q of deps.queues) {
    const counts = await q.getJobCounts(...JOB_STATES);
    for (const s of JOB_STATES) jobSamples.push([{ queue: q.name, state: s }, counts[s] ?? 0]);
  }
  metric('takedown_jobs', 'gauge', 'BullMQ jobs per queue and state; failed jobs stay until retried or discarded.', jobSamples);

  const decisions = await deps.cases.decisionCounts(opts.csam ? 'all' : 'outside-csam');
  metric('takedown_decisions_total', 'counter', 'Decisions recorded, by action.', Object.entries(decisions).map(([action, n]) => [{ action }, Number(n)]));

  metric('takedown_decisions_unapplied', 'gauge', 'Decisions recorded but not yet applied to content (the outbox).', [[{}, await deps.cases.unappliedCount()]]);

  const h = await deps.cases.takedownLatency();
  addStoredHistogram(scrape, {
    name: 'takedown_decision_to_takedown_seconds',
    help: 'Time from a decision to its application to the content (all actions workers, from Redis).',
    value: {
      buckets: TAKEDOWN_LATENCY_BUCKETS_MS.map((ms) => [ms / 1000, Number(h[`le:${ms}`] ?? 0)]),
      sum: Number(h['sum'] ?? 0) / 1000,
      count: Number(h['count'] ?? 0),
    },
  });

  const workers = await liveWorkers(deps.redis, deps.cases.keys);
  metric('takedown_workers_live', 'gauge', 'Worker processes with a recent heartbeat, by kind.', ['triage', 'actions', 'backfill', 'legal', 'dsa-submitter'].map((k) => [{ kind: k }, workers[k] ?? 0]));

  // Statements of reasons and their submission to the Transparency Database (csam ones only with the grant, as above).
  // From Elasticsearch: when it cannot answer, these two are left out rather than failing the Redis figures with them.
  const counts = await statementCounts(deps, opts.csam).catch(() => undefined);
  if (counts) {
    metric('takedown_statements', 'gauge', 'Statements of reasons by status (pending, submitted, invalid, rejected, failed).', Object.entries(counts.byStatus).map(([status, n]) => [{ status }, n]));
    metric(
      'takedown_statements_oldest_pending_age_seconds',
      'gauge',
      'How long the oldest pending statement has waited for submission (0 when none is pending).',
      [[{}, counts.oldestPendingAt ? Math.max(0, Math.round((Date.now() - Date.parse(counts.oldestPendingAt)) / 1000)) : 0]],
    );
  }
  const sub = await readSubmissionStats(deps.redis, submissionKeys(deps.cases.keys).stats);
  metric(
    'takedown_statement_submissions_total',
    'counter',
    'Statements the submitter recorded, by result: submitted, duplicates (the database had the puid: counted as submitted), rejected, failed (gave up), retries (a transport failure, tried again later).',
    STATEMENT_RESULT_COUNTERS.map((k) => [{ result: k }, (sub[k] ?? 0) + (opts.csam ? (sub[`csam:${k}`] ?? 0) : 0)]),
  );
  metric('takedown_statement_submission_calls_total', 'counter', 'Calls to the Transparency Database, and those refused for the token (401/403: a configuration problem).', [
    [{ outcome: 'all' }, sub['calls'] ?? 0],
    [{ outcome: 'auth_refused' }, sub['auth_failures'] ?? 0],
  ]);
  addStoredHistogram(scrape, {
    name: 'takedown_statement_submission_call_seconds',
    help: 'Duration of one call to the Transparency Database (a batch of up to 100 statements).',
    value: {
      buckets: SUBMISSION_LATENCY_BUCKETS_MS.map((ms) => [ms / 1000, sub[`le:${ms}`] ?? 0]),
      sum: (sub['latency_sum_ms'] ?? 0) / 1000,
      count: sub['latency_count'] ?? 0,
    },
  });
  return deps.metrics.exposition(scrape);
}

/** Statement counts by status: one aggregation, kept a few seconds so frequent scrapes do not each walk the index. */
const STATEMENT_COUNTS_TTL_MS = 10_000;
const statementCountsCache = new WeakMap<ApiDeps, Map<boolean, { at: number; value: StatementCounts }>>();

async function statementCounts(deps: ApiDeps, csam: boolean): Promise<StatementCounts> {
  let byGrant = statementCountsCache.get(deps);
  if (!byGrant) statementCountsCache.set(deps, (byGrant = new Map()));
  const hit = byGrant.get(csam);
  if (hit && Date.now() - hit.at < STATEMENT_COUNTS_TTL_MS) return hit.value;
  const value = await new StatementSubmissions(deps.es, deps.indices.statements).counts({ exclude: csam ? [] : ['csam'] });
  byGrant.set(csam, { at: Date.now(), value });
  return value;
}

/**
 * Claimed cases that are not csam (isCsamCase, read now). Leases are few (one
 * per moderator at work), so every leased case is read, 500 per round trip;
 * a lease whose case cannot be read is not counted.
 */
async function leasesOutsideCsam(deps: ApiDeps): Promise<number> {
  const ids = await deps.cases.leasedCaseIds();
  let n = 0;
  for (let i = 0; i < ids.length; i += 500) {
    for (const h of await pipelined<Record<string, string>>(deps.redis, ids.slice(i, i + 500).map((id) => ({ key: deps.cases.keys.case(id), add: (p) => p.hgetall(deps.cases.keys.case(id)) })))) {
      const c = caseFromHash(h);
      if (c && !isCsamCase(c)) n++;
    }
  }
  return n;
}
