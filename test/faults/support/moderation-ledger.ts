/**
 * What the fault scenarios count, read from the sources of truth once the
 * pipeline has drained:
 *
 * - the case store in Redis (`<prefix>:mod:case:<id>`, its `:reports` hash
 *   keyed by stored report id, its `:decisions` list, `:decision:<id>`
 *   hashes with `appliedAt`, the `:outbox`);
 * - the audit trail in Elasticsearch (`<prefix>-audit`, written by the
 *   audit writer from the Redis stream; the stream is trimmed once written);
 * - the content documents' `moderation` fields in Elasticsearch;
 * - BullMQ's job counts of `reports` and `actions`.
 *
 * Definitions (per acknowledged report = the API answered 2xx):
 * - lost report: its stored id is in no case's reports hash (never folded);
 * - duplicate case: a post with more than one case (a case id seen twice in
 *   the cases index with the same contentId), or a report folded twice: a
 *   case whose reportCount differs from its distinct reports, or more than
 *   one `report.received` audit event for one report id;
 * - duplicate action: more than one `action.applied` audit event for one
 *   decision id, or more than one automated (auto_remove) decision on one
 *   case for the same evidence (triage re-running a report after a crash);
 * - lost action: a recorded decision never applied (`appliedAt` missing, or
 *   still in the outbox), or a decided case whose content document does not
 *   carry the case's last decision.
 */
import { Queue } from 'bullmq';
import { CaseStore, caseIdFor, chainStreamId, moderationKeys, queuePrefixFor } from '@takedown/shared';
import type { TestContext } from '../../support/test-context';

export interface Ledger {
  acknowledged: number;
  lostReports: number;
  casesOfContents: number;
  duplicateCases: number;
  reportsFoldedTwice: number;
  reportCountMismatches: number;
  decisions: number;
  automatedDecisions: number;
  duplicateActions: number;
  duplicateAutoDecisions: number;
  unappliedDecisions: number;
  contentMissingDecision: number;
  failedJobs: { reports: number; actions: number };
  auditEvents: number;
  /** A few examples of each problem found, for the report and for debugging. */
  examples: Record<string, string[]>;
}

const QUEUE_STATES = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/** Jobs still to run in a queue (failed and completed excluded). */
async function pending(q: Queue): Promise<number> {
  const c = await q.getJobCounts(...QUEUE_STATES);
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/**
 * Waits until both queues have nothing to run, the outbox is empty and the
 * audit stream has been written to Elasticsearch, twice in a row (a job can
 * sit "active" under a dead worker's lock until the stalled check returns it).
 */
export async function waitForDrain(ctx: TestContext, timeoutMs: number): Promise<{ drainedInMs: number; drained: boolean; left?: string }> {
  const keys = moderationKeys(ctx.config.queuePrefix);
  const reports = new Queue('reports', { connection: ctx.bullConnection, prefix: queuePrefixFor(ctx.config.queuePrefix, 'reports') });
  const actions = new Queue('actions', { connection: ctx.bullConnection, prefix: queuePrefixFor(ctx.config.queuePrefix, 'actions') });
  const t0 = Date.now();
  let quiet = 0;
  try {
    while (Date.now() - t0 < timeoutMs) {
      const left = (await pending(reports)) + (await pending(actions)) + (await new CaseStore(ctx.redis, keys, 1).unappliedCount());
      quiet = left === 0 && (await auditWritten(ctx)) ? quiet + 1 : 0;
      if (quiet >= 2) return { drainedInMs: Date.now() - t0, drained: true };
      await new Promise((r) => setTimeout(r, 500));
    }
    // Not thrown: the scenario still counts and prints what it found (a stuck decision is a lost action).
    return {
      drainedInMs: Date.now() - t0,
      drained: false,
      left: `reports ${JSON.stringify(await reports.getJobCounts(...QUEUE_STATES))}, actions ${JSON.stringify(await actions.getJobCounts(...QUEUE_STATES))}, outbox ${await new CaseStore(ctx.redis, keys, 1).unappliedCount()}, audit written ${await auditWritten(ctx)}`,
    };
  } finally {
    await reports.close();
    await actions.close();
  }
}

/**
 * Whether the audit writer has written the whole stream to Elasticsearch.
 * It trims the stream up to (not including) the last entry it wrote, so the
 * stream keeps one entry: written when the index's highest event names it.
 */
async function auditWritten(ctx: TestContext): Promise<boolean> {
  const keys = moderationKeys(ctx.config.queuePrefix);
  const index = `${ctx.prefix}-audit`;
  await ctx.es.indices.refresh({ index });
  // Every stream (the main one, each case shard's): its last entry is in the chain.
  for (const [label, stream] of [['', keys.audit] as const, ...keys.shards.map((s) => [s.label, s.audit] as const)]) {
    const last = (await ctx.redis.xrevrange(stream, '+', '-', 'COUNT', 1))[0]?.[0];
    if (last === undefined) continue;
    const found = await ctx.es.count({ index, query: { term: { streamId: chainStreamId(label, last) } } });
    if (found.count === 0) return false;
  }
  return true;
}

type AuditDoc = { type: string; caseId?: string; contentId?: string; data?: { reportId?: string; decisionId?: string } };

/** Every audit event in Elasticsearch (search_after over seq). */
async function auditEvents(ctx: TestContext): Promise<AuditDoc[]> {
  const index = `${ctx.prefix}-audit`;
  await ctx.es.indices.refresh({ index });
  const out: AuditDoc[] = [];
  let after: (string | number)[] | undefined;
  for (;;) {
    const res = await ctx.es.search<AuditDoc>({ index, size: 5000, sort: [{ seq: 'asc' }], _source: ['type', 'caseId', 'contentId', 'data.reportId', 'data.decisionId'], ...(after ? { search_after: after } : {}) });
    const hits = res.hits.hits;
    for (const h of hits) if (h._source) out.push(h._source);
    if (hits.length < 5000) return out;
    after = hits[hits.length - 1]?.sort as (string | number)[];
  }
}

function countBy(items: readonly (string | undefined)[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of items) if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

export async function moderationLedger(ctx: TestContext, acknowledged: ReadonlyMap<string, string>): Promise<Ledger> {
  const keys = moderationKeys(ctx.config.queuePrefix);
  const examples: Record<string, string[]> = {};
  const note = (what: string, id: string) => {
    const list = (examples[what] ??= []);
    if (list.length < 5) list.push(id);
  };
  const contents = [...new Set(acknowledged.values())];

  // The case store: every post's case, its reports and decisions.
  const folded = new Set<string>();
  let reportCountMismatches = 0;
  const decided = new Map<string, string>(); // contentId -> last decision id
  const decisionIds: string[] = [];
  const caseOfDecision = new Map<string, string>();
  let duplicateAutoDecisions = 0;
  for (let i = 0; i < contents.length; i += 500) {
    const chunk = contents.slice(i, i + 500);
    const pipe = ctx.redis.pipeline();
    for (const contentId of chunk) {
      const caseId = caseIdFor(contentId);
      pipe.hgetall(keys.case(caseId));
      pipe.hkeys(keys.caseReports(caseId));
      pipe.lrange(keys.caseDecisions(caseId), 0, -1);
    }
    const res = (await pipe.exec()) ?? [];
    chunk.forEach((contentId, j) => {
      const c = res[j * 3]?.[1] as Record<string, string>;
      const reportIds = res[j * 3 + 1]?.[1] as string[];
      const ds = res[j * 3 + 2]?.[1] as string[];
      for (const id of reportIds) folded.add(id);
      if (Number(c['reportCount'] ?? 0) !== reportIds.length) {
        reportCountMismatches++;
        note('reportCountMismatch', contentId);
      }
      if (c['status'] === 'decided' && c['lastDecisionId']) decided.set(contentId, c['lastDecisionId']);
      decisionIds.push(...ds);
      for (const d of ds) caseOfDecision.set(d, caseIdFor(contentId));
    });
  }
  let lostReports = 0;
  for (const id of acknowledged.keys()) {
    if (!folded.has(id)) {
      lostReports++;
      note('lostReport', id);
    }
  }

  // Posts with more than one case: every case the store knows, by its post.
  const caseIds = (await Promise.all(keys.shards.map((s) => ctx.redis.zrange(s.cases, 0, -1)))).flat();
  const contentOfCase: string[] = [];
  for (let i = 0; i < caseIds.length; i += 1000) {
    const pipe = ctx.redis.pipeline();
    for (const id of caseIds.slice(i, i + 1000)) pipe.hget(keys.case(id), 'contentId');
    for (const [, v] of (await pipe.exec()) ?? []) contentOfCase.push(String(v));
  }
  let duplicateCases = 0;
  for (const [contentId, n] of countBy(contentOfCase)) {
    if (n > 1) {
      duplicateCases += n - 1;
      note('duplicateCase', contentId);
    }
  }

  // Decisions: applied once each, at most one automated one per case.
  let unappliedDecisions = 0;
  let automatedDecisions = 0;
  const automatedPerCase = new Map<string, number>();
  for (let i = 0; i < decisionIds.length; i += 1000) {
    const pipe = ctx.redis.pipeline();
    for (const id of decisionIds.slice(i, i + 1000)) pipe.hmget(keys.decision(caseOfDecision.get(id) ?? '', id), 'appliedAt', 'automated', 'caseId');
    const res = (await pipe.exec()) ?? [];
    res.forEach(([, v], j) => {
      const [appliedAt, automated, caseId] = v as (string | null)[];
      if (!appliedAt) {
        unappliedDecisions++;
        note('unappliedDecision', decisionIds[i + j] ?? '');
      }
      if (automated === 'true') {
        automatedDecisions++;
        automatedPerCase.set(caseId ?? '', (automatedPerCase.get(caseId ?? '') ?? 0) + 1);
      }
    });
  }
  for (const [caseId, n] of automatedPerCase) {
    if (n > 1) {
      duplicateAutoDecisions += n - 1;
      note('duplicateAutoDecision', caseId);
    }
  }
  unappliedDecisions += await new CaseStore(ctx.redis, keys, 1).unappliedCount();

  // The audit trail: one report.received per report, one action.applied per decision.
  const events = await auditEvents(ctx);
  let reportsFoldedTwice = 0;
  for (const [id, n] of countBy(events.filter((e) => e.type === 'report.received').map((e) => e.data?.reportId))) {
    if (n > 1) {
      reportsFoldedTwice += n - 1;
      note('reportFoldedTwice', id);
    }
  }
  let duplicateActions = 0;
  for (const [id, n] of countBy(events.filter((e) => e.type === 'action.applied').map((e) => e.data?.decisionId))) {
    if (n > 1) {
      duplicateActions += n - 1;
      note('duplicateAction', id);
    }
  }

  // The content documents carry each decided case's last decision.
  let contentMissingDecision = 0;
  const decidedIds = [...decided.keys()];
  for (let i = 0; i < decidedIds.length; i += 1000) {
    const ids = decidedIds.slice(i, i + 1000);
    const got = await ctx.es.mget<{ moderation?: { decisionId?: string } }>({ index: ctx.config.contentIndex, ids, _source_includes: ['moderation.decisionId'] });
    got.docs.forEach((d, j) => {
      const want = decided.get(ids[j] ?? '');
      const carried = 'found' in d && d.found ? d._source?.moderation?.decisionId : undefined;
      if (carried !== want) {
        contentMissingDecision++;
        note('contentMissingDecision', ids[j] ?? '');
      }
    });
  }

  const failed = async (name: 'reports' | 'actions') => {
    const q = new Queue(name, { connection: ctx.bullConnection, prefix: queuePrefixFor(ctx.config.queuePrefix, name) });
    try {
      return (await q.getJobCounts('failed')).failed ?? 0;
    } finally {
      await q.close();
    }
  };

  return {
    acknowledged: acknowledged.size,
    lostReports,
    casesOfContents: contents.length,
    duplicateCases,
    reportsFoldedTwice,
    reportCountMismatches,
    decisions: decisionIds.length,
    automatedDecisions,
    duplicateActions,
    duplicateAutoDecisions,
    unappliedDecisions,
    contentMissingDecision,
    failedJobs: { reports: await failed('reports'), actions: await failed('actions') },
    auditEvents: events.length,
    examples,
  };
}
