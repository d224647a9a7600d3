import type { Category, DecisionAction, ReporterType } from '../domain/vocabulary';
import { SYSTEM_FILER, type ReportJob } from '../jobs/payloads';
import type { DecisionRecord } from '../moderation/case-record';

/**
 * DSA Art. 16 notices as Takedown stores them (one document per token-filed
 * report in `<prefix>-notices`, `_id` = the full report id): the
 * acknowledgement given on intake and the decision notices sent when the
 * report's case was decided. No reporter personal data: the filing token's
 * id (to show the record to that token only), the standing and, for
 * trusted flaggers and authorities, their member state.
 */

/** What the reporter is told the decision did to the content. */
export const NOTICE_OUTCOMES = ['removed', 'restricted', 'labelled', 'no_action'] as const;
export type NoticeOutcome = (typeof NOTICE_OUTCOMES)[number];

export interface DecisionNotice {
  decisionId: string;
  outcome: NoticeOutcome;
  decidedAt: string;
  /** Whether the decision itself was taken by automated means (Art. 16(6)). */
  automated: boolean;
  /** The statement of reasons' puid (= the decision id) when one is owed: any restriction, not a keep. */
  statementPuid?: string;
  /** The decision this one answers on appeal (Art. 20). */
  appealOf?: string;
  /** The redress options, as text for the reporter. */
  redress: string;
  notifiedAt: string;
}

export interface NoticeRecord {
  /** The full report id (`<token id>.<client id>`, or a generated `r_…`). */
  reportId: string;
  /** The reference the reporter knows (its own reportId, or the generated one). */
  reference: string;
  /** The filing token: the only one shown this record. */
  tokenId: string;
  reporterType: ReporterType;
  /** Trusted flaggers and authorities: the EEA state that designated them, or theirs. */
  memberState?: string;
  category: Category;
  contentId: string;
  caseId: string;
  receivedAt: string;
  acknowledgedAt: string;
  decisions: DecisionNotice[];
}

export const REDRESS_TEXT =
  'You may complain about this decision, free of charge, through our internal complaint-handling system ' +
  '(an appeal naming the decision id) within 6 months of this notice (DSA Art. 20). You may also refer the decision ' +
  'to a certified out-of-court dispute settlement body (DSA Art. 21), and you may bring it before a court.';

export const REDRESS_AFTER_APPEAL_TEXT =
  'This decides a complaint under our internal complaint-handling system (DSA Art. 20). You may refer it to a ' +
  'certified out-of-court dispute settlement body (DSA Art. 21), and you may bring it before a court.';

/** The outcome a decision notice reports; an escalation is not a decision (undefined). */
export function noticeOutcomeOf(action: DecisionAction): NoticeOutcome | undefined {
  switch (action) {
    case 'remove':
      return 'removed';
    case 'restrict':
      return 'restricted';
    case 'label':
      return 'labelled';
    case 'keep':
      return 'no_action';
    default:
      return undefined;
  }
}

/** True for reports that are notices: filed through a token. Takedown's own scans are not. */
export function isNotice(report: Pick<ReportJob, 'filedBy'>): boolean {
  return report.filedBy !== undefined && report.filedBy.tokenId !== SYSTEM_FILER.tokenId;
}

/** The reference a reporter knows: its own id without the token scope, or the generated id. */
export function referenceOf(reportId: string, tokenId: string): string {
  return reportId.startsWith(`${tokenId}.`) ? reportId.slice(tokenId.length + 1) : reportId;
}

/**
 * The notice record of a token-filed report (undefined for scans). The
 * acknowledgement is the intake's 202 answer, given once the report was in
 * Redis; its recorded time is the report's receivedAt, stamped just before.
 */
export function noticeFromReport(report: ReportJob, caseId: string): NoticeRecord | undefined {
  if (!isNotice(report)) return undefined;
  const tokenId = (report.filedBy as NonNullable<ReportJob['filedBy']>).tokenId;
  return {
    reportId: report.reportId,
    reference: referenceOf(report.reportId, tokenId),
    tokenId,
    reporterType: report.reporter.type,
    ...(report.reporter.memberState ? { memberState: report.reporter.memberState } : {}),
    category: report.reason,
    contentId: report.content.id,
    caseId,
    receivedAt: report.receivedAt,
    acknowledgedAt: report.receivedAt,
    decisions: [],
  };
}

/**
 * The decision notice for a decision, or undefined for one that owes none
 * (an escalation). `statementStored`: whether a statement of reasons was
 * stored under the decision id (none is owed for a keep, nor for a
 * restriction outside the EEA); when the caller cannot tell, a restricting
 * decision is taken to have one.
 */
export function decisionNoticeFor(
  d: Pick<DecisionRecord, 'id' | 'action' | 'decidedAt' | 'automated' | 'appealOf'>,
  now: Date,
  statementStored?: boolean,
): DecisionNotice | undefined {
  const outcome = noticeOutcomeOf(d.action);
  if (!outcome) return undefined;
  const puid = statementStored ?? outcome !== 'no_action';
  return {
    decisionId: d.id,
    outcome,
    decidedAt: d.decidedAt,
    automated: d.automated,
    ...(puid ? { statementPuid: d.id } : {}),
    ...(d.appealOf ? { appealOf: d.appealOf } : {}),
    redress: d.appealOf ? REDRESS_AFTER_APPEAL_TEXT : REDRESS_TEXT,
    notifiedAt: now.toISOString(),
  };
}

/**
 * Which reports of a case get a decision notice for a decision: those
 * received before the decision. Whether each still lacks one (or, on an
 * appeal decision, gets a further one) is the store's check, made on the
 * stored record.
 */
export function reportsOwedNotice(reports: readonly ReportJob[], decidedAt: string): ReportJob[] {
  const at = Date.parse(decidedAt);
  return reports.filter((r) => isNotice(r) && Date.parse(r.receivedAt) <= at);
}

/**
 * The record with the decision notice added, or undefined when it owes none:
 * it already holds one for this decision, or already holds one at all and
 * this is not an appeal decision (the first decision after a report is its
 * answer; a decision on appeal is a further one).
 */
export function withDecisionNotice(record: NoticeRecord, notice: DecisionNotice): NoticeRecord | undefined {
  const held = record.decisions ?? [];
  if (held.some((d) => d.decisionId === notice.decisionId)) return undefined;
  if (held.length > 0 && !notice.appealOf) return undefined;
  return { ...record, decisions: [...held, notice] };
}
