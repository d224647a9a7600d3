import type { Client } from '@elastic/elasticsearch';
import { TakedownError } from '../errors/takedown-error';
import { scanSorted } from '../indices/scan-sorted';
import type { ReportJob } from '../jobs/payloads';
import { decisionNoticeFor, noticeFromReport, withDecisionNotice, type DecisionNotice, type NoticeRecord } from './notice-record';
import type { DecisionRecord } from '../moderation/case-record';

/** Reports per bulk call when a decision's notices are written. */
export const NOTICE_BULK_SIZE = 200;

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

/** Rounds of read-and-write for records that changed between the read and the write. */
const MAX_NOTICE_ROUNDS = 8;

/**
 * The actions worker's write: the decision notice for each given report
 * (the case's reports received before the decision), NOTICE_BULK_SIZE
 * records at a time: one multi-get, then one bulk write, each existing
 * record written only if unchanged since it was read (seq_no/primary_term;
 * a changed one is read again), a missing one created with the decision
 * in it (triage's create then finds it there). Throws when a write fails,
 * so the job is retried: every write is idempotent.
 */
export async function recordDecisionNotices(
  es: Client,
  index: string,
  caseId: string,
  reports: readonly ReportJob[],
  decision: DecisionRecord,
  now: Date,
  statementStored?: boolean,
): Promise<number> {
  const notice = decisionNoticeFor(decision, now, statementStored);
  if (!notice) return 0;
  let written = 0;
  for (let i = 0; i < reports.length; i += NOTICE_BULK_SIZE) {
    let pending = reports.slice(i, i + NOTICE_BULK_SIZE).flatMap((r) => noticeFromReport(r, caseId) ?? []);
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_NOTICE_ROUNDS) throw new Error(`decision notices for ${decision.id}: records kept changing; will retry`);
      const got = await es.mget<NoticeRecord>({ index, ids: pending.map((r) => r.reportId) });
      const operations: unknown[] = [];
      const sent: NoticeRecord[] = [];
      pending.forEach((record, k) => {
        const doc = got.docs[k] as { found?: boolean; _source?: NoticeRecord; _seq_no?: number; _primary_term?: number } | undefined;
        if (doc?.found && doc._source) {
          const next = withDecisionNotice(doc._source, notice);
          if (!next) return;
          operations.push({ index: { _index: index, _id: record.reportId, if_seq_no: doc._seq_no, if_primary_term: doc._primary_term } }, next);
        } else {
          operations.push({ create: { _index: index, _id: record.reportId } }, { ...record, decisions: [notice] });
        }
        sent.push(record);
      });
      if (operations.length === 0) break;
      const res = await es.bulk({ operations });
      const retry: NoticeRecord[] = [];
      res.items.forEach((item, k) => {
        const r = item.index ?? item.create;
        if (!r?.error) {
          written++;
          return;
        }
        // Changed or created since the read: read it again.
        if (r.status === 409) retry.push(sent[k] as NoticeRecord);
        // Ids and error types only: no part of a record reaches a log.
        else throw new Error(`decision notices for ${decision.id}: a write failed (${r.error.type ?? 'error'})`);
      });
      pending = retry;
    }
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
  return scanSorted<NoticeRecord>(es, index, { range: { receivedAt: { gte: from.toISOString(), lt: to.toISOString() } } }, 'reportId', source, limit);
}

export type { DecisionNotice };

/** Raised when a period holds more records than a report may read: a 422 naming the period, never figures from part of them. */
export function tooManyRecords(what: string, limit: number, period: string): TakedownError {
  return new TakedownError('period_too_large', `more than ${limit} ${what} in ${period}: the figures are not computed from part of them; ask for a shorter period`, 422, '/period');
}
