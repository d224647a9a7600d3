import type {
  AgencyFunction,
  DisclosableData,
  LegalProcessKind,
  LegalRequestType,
  LegalState,
  RejectionReason,
  TargetKind,
  TargetRole,
  TargetWithholdReason,
} from './legal-vocabulary';
import type { Approval, WorkflowView } from './legal-workflow';

/**
 * A law-enforcement request as the legal desk stores it (one document in
 * the `<prefix>-legal-requests` index). Target values (phone numbers,
 * usernames, account and content ids) live here and in the disclosure
 * package only: audit events, logs, metrics and error bodies name a target
 * by its index and the SHA-256 of its value (`targetRef`).
 */

/** A registered agency (law enforcement, prosecutor, court), registered by an admin. */
export interface AgencyRecord {
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  function: AgencyFunction;
  createdAt: string;
  createdBy: string;
}

/** What the subscriber data source answered for one target, at intake. */
export interface TargetLookup {
  status: 'resolved' | 'not_found' | 'invalid';
  resolved: boolean;
  /**
   * The accounts the target names (a phone number may name several), each
   * with the country of its phone number (the transparency report's
   * country; absent for an account without one).
   */
  accounts: { accountId: string; phoneCountry?: string }[];
  /** Why an invalid target is invalid (never the value). */
  reason?: string;
  checkedAt: string;
}

export interface TargetDecision {
  produce: boolean;
  /** Why not, when not produced. */
  reason?: TargetWithholdReason;
  note?: string;
  by: string;
  at: string;
}

export interface LegalTarget {
  /** Position in the request (0-based): how audit events, problems and decisions name it. */
  index: number;
  kind: TargetKind;
  /** The identifier as the order gives it. Never logged, audited or echoed in an error. */
  value: string;
  /** SHA-256 (hex) of `value`: what the audit chain records. */
  valueSha256: string;
  role: TargetRole;
  resolution?: TargetLookup;
  decision?: TargetDecision;
}

export interface LegalDocumentRef {
  id: string;
  /** SHA-256 (hex) of the PDF's bytes, computed by Takedown on receipt. */
  sha256: string;
  bytes: number;
  uploadedAt: string;
  uploadedBy: string;
}

export interface LegalProcess {
  kind: LegalProcessKind;
  reference: string;
  /** The issuing court or judge. */
  issuedBy: string;
  /** YYYY-MM-DD. */
  issuedAt: string;
  document?: LegalDocumentRef;
}

/** `reject` and `needs_info` block approval and are applied at intake; `note` is advice for the officer. */
export type ProblemOutcome = 'reject' | 'needs_info' | 'note';

/** One finding of the policy check, with the field it is about. */
export interface LegalProblem {
  /** JSON pointer into the request, as the intake body names it (`/legalProcess/kind`, `/targets/2/value`). */
  field: string;
  code: string;
  message: string;
  outcome: ProblemOutcome;
  /** The rejection reason code a `reject` outcome uses. */
  reason?: RejectionReason;
}

export type NoticeHold = 'gag' | 'emergency';

/** The notice owed to one user whose data was disclosed. */
export interface LegalNotice {
  /** `<requestId>.<n>`, n counting the package's accounts. */
  id: string;
  targetIndex: number;
  /** Whom the platform notifies: one notice per account whose data left. */
  accountId: string;
  state: 'held' | 'due' | 'delivered';
  /** What holds it back while `held`: a gag order until its date, an emergency until legal marks it over. */
  heldBy: NoticeHold[];
  dueAt?: string;
  deliveredAt?: string;
  deliveredBy?: string;
}

export interface LegalHistoryEntry {
  event: string;
  by: string;
  at: string;
  from?: LegalState;
  to?: LegalState;
  note?: string;
}

export interface LegalPackageRef {
  id: string;
  /** SHA-256 (hex) of the manifest bytes the signature covers. */
  manifestSha256: string;
  /** SHA-256 (hex) of the package file as the agency downloads it (`sha256sum` of it). */
  sha256: string;
  builtAt: string;
  expiresAt: string;
  deletedAt?: string;
  /** What left: counts only. */
  counts: { accounts: number; ipAddresses: number; phoneNumbers: number };
  downloads: number;
}

export interface LegalPreservationRef {
  preservedAt: string;
  expiresAt: string;
  extendedAt?: string;
  extendedBy?: string;
  signIns: number;
  accounts: number;
  deletedAt?: string;
}

export interface LegalEmergency {
  /** The agency's description of the risk of death or serious injury. */
  description: string;
  disclosedAt?: string;
  disclosedBy?: string;
  /** By when the follow-up legal process is owed (72 h after the disclosure). */
  followUpDueAt?: string;
  followUp?: { legalProcess: LegalProcess; attachedAt: string; attachedBy: string };
  /** When legal marked the emergency over (notices may then go out). */
  overAt?: string;
  overBy?: string;
}

export interface LegalRequestRecord {
  id: string;
  type: LegalRequestType;
  state: LegalState;
  agency: Pick<AgencyRecord, 'id' | 'name' | 'country' | 'function'>;
  requester: { name: string; email: string };
  /** The person who entered it: an officer, or the agency's person. */
  enteredBy: string;
  enteredVia: 'legal' | 'agency';
  legalProcess: LegalProcess;
  legalBasis: string;
  offenceCategory: string;
  /** Whether the order states that the target is a suspect. */
  statesSuspect: boolean;
  targets: LegalTarget[];
  dataRequested: DisclosableData[];
  /** As requested. */
  period: { from: string; to: string };
  /** The period clamped to the data held (what a package or preservation covers). */
  effectivePeriod?: { from: string; to: string };
  /** The gag order's end, or null when there is none. */
  nonDisclosureUntil: string | null;
  dueAt: string;
  emergency?: LegalEmergency;
  problems: LegalProblem[];
  approvals: Approval[];
  rejection?: { reason: RejectionReason; note?: string; by: string; at: string };
  withdrawal?: { note?: string; by: string; at: string };
  times: {
    receivedAt: string;
    acknowledgedAt?: string;
    approvedAt?: string;
    packageProducedAt?: string;
    deliveredAt?: string;
    rejectedAt?: string;
    withdrawnAt?: string;
  };
  package?: LegalPackageRef;
  preservation?: LegalPreservationRef;
  notices: LegalNotice[];
  history: LegalHistoryEntry[];
  updatedAt: string;
}

/** What the state machine needs of a record. */
export function workflowViewOf(r: LegalRequestRecord): WorkflowView {
  return { state: r.state, type: r.type, enteredBy: r.enteredBy, approvals: r.approvals };
}


/** How audit events and logs name a target: its index, kind, role and the hash of its value, never the value. */
export function targetRef(t: Pick<LegalTarget, 'index' | 'kind' | 'role' | 'valueSha256'>): { index: number; kind: TargetKind; role: TargetRole; sha256: string } {
  return { index: t.index, kind: t.kind, role: t.role, sha256: t.valueSha256 };
}

/** True when an emergency disclosure still owes its follow-up legal process past its due time. */
export function followUpOverdue(r: Pick<LegalRequestRecord, 'emergency'>, now: Date): boolean {
  const e = r.emergency;
  return Boolean(e?.followUpDueAt && !e.followUp && Date.parse(e.followUpDueAt) < now.getTime());
}

/** The distinct accounts of the targets decided `produce` (what a package or preservation covers), each with the first target naming it. */
export function producedAccounts(r: Pick<LegalRequestRecord, 'targets'>): { targetIndex: number; accountId: string }[] {
  const seen = new Set<string>();
  const out: { targetIndex: number; accountId: string }[] = [];
  for (const t of r.targets) {
    if (!t.decision?.produce || !t.resolution?.resolved) continue;
    for (const a of t.resolution.accounts) {
      if (seen.has(a.accountId)) continue;
      seen.add(a.accountId);
      out.push({ targetIndex: t.index, accountId: a.accountId });
    }
  }
  return out;
}
