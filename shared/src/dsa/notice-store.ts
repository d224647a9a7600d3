import type { Client, estypes } from '@elastic/elasticsearch';
import { TakedownError } from '../errors/takedown-error';
import type { ReportJob } from '../jobs/payloads';
import { decisionNoticeFor, noticeFromReport, type DecisionNotice, type NoticeRecord } from './notice-record';
import type { DecisionRecord } from '../moderation/case-record';

/** Reports per bulk call when a decision's notices are written. */
export const NOTICE_BULK_SIZE = 200;

/**
 * Appends a decision notice unless the record already holds one for this
 * decision, or already holds one at all and this is not an appeal decision
 * (the first decision after a report is its answer; an appeal decision is a
 * new one). Runs on the stored record, so replays and races change nothing.
 */
const APPEND_DECISION_NOTICE = `
def ds = ctx._source.decisions;
if (ds == null) { ds = new ArrayList(); ctx._source.decisions = ds; }
for (def d : ds) { if (d.decisionId == params.notice.decisionId) { ctx.op = 'noop'; return; } }
if (!ds.isEmpty() && !params.appeal) { ctx.op = 'noop'; return; }
ds.add(params.notice);
`;

function statusOf(err: unknown): number | undefined {
  return (err as { meta?: { statusCode?: number } })?.meta?.statusCode;
}

/**
 * Triage's write: the notice record of a token-filed report, created once
 * (id = the full report id; a replayed report, or a decision notice that
 * got there first, leaves the stored record alone). Scans write nothing.
 */
export async function recordNotice(es: Client, index: string, report: ReportJob, caseId: string): Promise<boolean> {
  const notice = noticeFromReport(report, caseId);
  if (!notice) return false;
  try {
    await es.create({ index, id: notice.reportId, document: notice });
    return true;
  } catch (err) {
    if (statusOf(err) === 409) return false;
    throw err;
  }
}

/**
 * The actions worker's write: the decision notice for each given report
 * (the case's reports received before the decision), in bulk calls of
 * NOTICE_BULK_SIZE. A report whose record triage has not written yet gets
 * it now, decision included (upsert); triage's create then finds it there.
 * Throws when any item fails, so the job is retried (every write is idempotent).
 */
export async function recordDecisionNotices(es: Client, index: string, caseId: string, reports: readonly ReportJob[], decision: DecisionRecord, now: Date): Promise<number> {
  const notice = decisionNoticeFor(decision, now);
  if (!notice) return 0;
  let written = 0;
  for (let i = 0; i < reports.length; i += NOTICE_BULK_SIZE) {
    const operations: unknown[] = [];
    for (const r of reports.slice(i, i + NOTICE_BULK_SIZE)) {
      const record = noticeFromReport(r, caseId);
      if (!record) continue;
      operations.push(
        { update: { _index: index, _id: record.reportId, retry_on_conflict: 5 } },
        { script: { source: APPEND_DECISION_NOTICE, lang: 'painless', params: { notice, appeal: decision.appealOf !== undefined } }, upsert: { ...record, decisions: [notice] } },
      );
    }
    if (operations.length === 0) continue;
    const res = await es.bulk({ operations });
    if (res.errors) {
      const failed = res.items.filter((it) => it.update?.error);
      const first = failed[0]?.update?.error;
      // Ids and error types only: no part of a record reaches a log.
      throw new Error(`decision notices for ${decision.id}: ${failed.length} of ${operations.length / 2} writes failed (${first?.type ?? 'error'})`);
    }
    written += res.items.filter((it) => it.update?.result === 'created' || it.update?.result === 'updated').length;
  }
  return written;
}

/** One notice record by its full report id (realtime get: no refresh needed). */
export async function getNotice(es: Client, index: string, reportId: string): Promise<NoticeRecord | undefined> {
  const got = await es.get<NoticeRecord>({ index, id: reportId }, { ignore: [404] });
  return got.found ? got._source : undefined;
}

/**
 * Notice records received in [from, to), at most `limit` (`more` says the
 * period holds more: callers refuse rather than count part of them).
 */
export async function scanNotices(
  es: Client,
  index: string,
  from: Date,
  to: Date,
  limit: number,
  source: readonly string[] = ['reportId', 'reporterType', 'memberState', 'category', 'receivedAt', 'acknowledgedAt', 'decisions.outcome', 'decisions.decidedAt', 'decisions.appealOf'],
): Promise<{ records: NoticeRecord[]; more: boolean }> {
  const page = 1000;
  const records: NoticeRecord[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    const r = await es.search<NoticeRecord>({
      index,
      size: Math.min(page, limit + 1 - records.length),
      query: { range: { receivedAt: { gte: from.toISOString(), lt: to.toISOString() } } },
      sort: [{ reportId: 'asc' }],
      _source: { includes: [...source] },
      ...(after ? { search_after: after } : {}),
    });
    for (const h of r.hits.hits) records.push(h._source as NoticeRecord);
    if (records.length > limit) return { records: records.slice(0, limit), more: true };
    const last = r.hits.hits[r.hits.hits.length - 1];
    if (!last || r.hits.hits.length < page) return { records, more: false };
    after = last.sort;
  }
}

export type { DecisionNotice };

/** Raised when a period holds more records than a report may read: a 422 naming the period, never figures from part of them. */
export function tooManyRecords(what: string, limit: number, period: string): TakedownError {
  return new TakedownError('period_too_large', `more than ${limit} ${what} in ${period}: the figures are not computed from part of them; ask for a shorter period`, 422, '/period');
}
