import type { Category, DecisionAction, ReporterType } from '../domain/vocabulary';
import { DECISION_GROUND_KINDS, type DecisionGroundKind } from '../dsa/statement-defaults';
import type { ActionJob, ReportJob } from '../jobs/payloads';
import type { Lane } from './keys';

export type CaseStatus = 'open' | 'claimed' | 'decided';

/** A rule hit as triage records it on the case (offsets into the content text). */
export interface CaseRuleHit {
  ruleId: string;
  category: Category;
  action: string;
  shadow: boolean;
  start: number;
  end: number;
  rulesetVersion: number;
  /** A hit on a reporter's unverified copy: shown to moderators, never acted on or scored. */
  unverified?: boolean;
}

/**
 * Where the text and media a case shows come from: the platform's content
 * index (the source of truth), a trusted detector's report (content not in
 * the index), or an ordinary reporter's copy (evidence only, unverified).
 */
export const CONTENT_SOURCES = ['platform', 'detector', 'report'] as const;
export type ContentSource = (typeof CONTENT_SOURCES)[number];

export type CaseContent = ReportJob['content'] & { source?: ContentSource };

/**
 * A request to move a case across the csam line, waiting for a second
 * cleared person. A move into csam restricts the case at once (it sits on
 * the csam lane while pending); its category changes only on confirmation.
 */
export interface CategoryMove {
  id: string;
  from: Category;
  to: Category;
  /** The lane the case was on when the move was requested: a rejected move into csam returns it there. */
  fromLane: Lane;
  /** actorOf() of the requester: the confirmer must be someone else. */
  requestedBy: string;
  requestedAt: string;
  reason: string;
}

/** One case per content id: its reports, rule hits, decisions and where it sits. */
export interface CaseRecord {
  id: string;
  contentId: string;
  status: CaseStatus;
  lane: Lane;
  priority: number;
  category: Category;
  content: CaseContent;
  reportCount: number;
  reporterTypes: ReporterType[];
  ruleHits: CaseRuleHit[];
  firstReportedAt: string;
  lastReportedAt: string;
  rev: number;
  lastDecisionId?: string;
  lastAction?: DecisionAction;
  decidedBy?: string;
  decidedAt?: string;
  /** Set while an appeal of `appealOf` is open; its original decider may not decide it. */
  appealOf?: string;
  originalDecider?: string;
  autoRemovedBy?: string;
  lease?: { holder: string; expiresAt: string };
  /**
   * Some report or rule hit said csam (a report reason, a live or unverified
   * rule hit of category csam). Set by triage; cleared only by a confirmed
   * move out of csam. Absent on cases from before it existed.
   */
  csamSignal?: boolean;
  /** A move across the csam line awaiting confirmation. */
  categoryMove?: CategoryMove;
}

/** A recorded decision: what its actions job carries, plus the record's own fields. */
export interface DecisionRecord extends Omit<ActionJob, 'decisionId'> {
  id: string;
  note?: string;
  automated: boolean;
  appealOf?: string;
  /**
   * The ground of the statement of reasons (DSA Art. 17(3)(d)/(e)): the
   * moderator's choice; absent means the category's default (see
   * dsa/statement-defaults.ts). With `explanation` and `alsoIllegal` it
   * lives on the record only, not on the actions job: applying a decision
   * does not depend on it, and jobs queued before it existed still equal
   * their record (actionJobFor).
   */
  ground?: DecisionGroundKind;
  /** Why the content is illegal or incompatible with the terms (the statement's *_explanation); absent: the category's default. */
  explanation?: string;
  /** For a terms-and-conditions decision: whether the moderator also found the content illegal (incompatible_content_illegal). */
  alsoIllegal?: boolean;
  appliedAt?: string;
  /**
   * The decision's place among its case's decisions (1, 2, ...), assigned
   * atomically where it is recorded (decide-11.lua, fold-report-18.lua). Absent on
   * decisions recorded before it existed (they count as 0).
   */
  seq?: number;
}

/** Redis hash fields are strings; these are the JSON-valued ones. */
const JSON_FIELDS = ['content', 'reporterTypes', 'ruleHits', 'categoryMove'] as const;

export function caseFromHash(h: Record<string, string>): CaseRecord | undefined {
  if (!h['id']) return undefined;
  const c: CaseRecord = {
    id: h['id'],
    contentId: h['contentId'] ?? '',
    status: (h['status'] ?? 'open') as CaseStatus,
    lane: (h['lane'] ?? 'default') as Lane,
    priority: Number(h['priority'] ?? 0),
    category: (h['category'] ?? 'other') as Category,
    content: JSON.parse(h['content'] ?? '{}') as CaseRecord['content'],
    reportCount: Number(h['reportCount'] ?? 0),
    reporterTypes: JSON.parse(h['reporterTypes'] ?? '[]') as ReporterType[],
    ruleHits: JSON.parse(h['ruleHits'] ?? '[]') as CaseRuleHit[],
    firstReportedAt: h['firstReportedAt'] ?? '',
    lastReportedAt: h['lastReportedAt'] ?? '',
    rev: Number(h['rev'] ?? 0),
  };
  for (const k of ['lastDecisionId', 'decidedBy', 'decidedAt', 'appealOf', 'originalDecider', 'autoRemovedBy'] as const) {
    if (h[k]) c[k] = h[k];
  }
  if (h['lastAction']) c.lastAction = h['lastAction'] as DecisionAction;
  if (h['csamSignal']) c.csamSignal = h['csamSignal'] === 'true';
  if (h['categoryMove']) c.categoryMove = JSON.parse(h['categoryMove']) as CategoryMove;
  if (h['status'] === 'claimed' && h['leaseHolder'] && h['leaseExpiresAt']) {
    c.lease = { holder: h['leaseHolder'], expiresAt: new Date(Number(h['leaseExpiresAt'])).toISOString() };
  }
  return c;
}

/** The string fields written for a case (JSON fields serialised). */
export function caseToFields(c: Partial<CaseRecord>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined || k === 'lease' || k === 'rev') continue;
    out[k] = (JSON_FIELDS as readonly string[]).includes(k) ? JSON.stringify(v) : String(v);
  }
  return out;
}

export function decisionFromHash(h: Record<string, string>): DecisionRecord | undefined {
  if (!h['id']) return undefined;
  const d: DecisionRecord = {
    id: h['id'],
    caseId: h['caseId'] ?? '',
    contentId: h['contentId'] ?? '',
    action: h['action'] as DecisionAction,
    category: h['category'] as Category,
    legalGround: h['legalGround'] ?? '',
    decidedBy: h['decidedBy'] ?? '',
    decidedAt: h['decidedAt'] ?? '',
    automated: h['automated'] === 'true',
  };
  if (h['countries']) d.countries = JSON.parse(h['countries']) as string[];
  if (h['note']) d.note = h['note'];
  if (h['appealOf']) d.appealOf = h['appealOf'];
  const ground = h['ground'];
  if (ground && (DECISION_GROUND_KINDS as readonly string[]).includes(ground)) d.ground = ground as DecisionGroundKind;
  if (h['explanation']) d.explanation = h['explanation'];
  if (h['alsoIllegal'] === 'true' || h['alsoIllegal'] === 'false') d.alsoIllegal = h['alsoIllegal'] === 'true';
  if (h['appliedAt']) d.appliedAt = new Date(Number(h['appliedAt'])).toISOString();
  if (h['seq']) d.seq = Number(h['seq']);
  return d;
}

export function decisionToFields(d: DecisionRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d)) {
    // appliedAt and seq are the scripts' to write (record-action-4.lua; decide-11.lua, fold-report-18.lua).
    if (v === undefined || k === 'appliedAt' || k === 'seq') continue;
    out[k] = Array.isArray(v) ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** The actions job that applies a decision (jobId = decision id). */
export function actionJobFor(d: DecisionRecord): ActionJob {
  return {
    decisionId: d.id,
    caseId: d.caseId,
    contentId: d.contentId,
    action: d.action,
    category: d.category,
    legalGround: d.legalGround,
    ...(d.countries ? { countries: d.countries } : {}),
    decidedBy: d.decidedBy,
    decidedAt: d.decidedAt,
  };
}
