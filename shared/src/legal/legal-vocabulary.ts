/**
 * The legal desk's vocabulary: what a law-enforcement request may be, name
 * and ask for. The seed policy discloses IP addresses and the phone number,
 * nothing else; every other data type is refused with its field named.
 */
export const LEGAL_REQUEST_TYPES = ['records', 'preservation', 'emergency'] as const;
export type LegalRequestType = (typeof LEGAL_REQUEST_TYPES)[number];

export const LEGAL_PROCESS_KINDS = ['court_order', 'warrant', 'production_order', 'subpoena', 'emergency_letter'] as const;
export type LegalProcessKind = (typeof LEGAL_PROCESS_KINDS)[number];

/** Orders a judge or court issued: what a records request needs. */
export const JUDICIAL_PROCESS_KINDS: readonly LegalProcessKind[] = ['court_order', 'warrant', 'production_order'];

export const TARGET_KINDS = ['account_id', 'username', 'phone_number', 'content_id'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const TARGET_ROLES = ['suspect', 'victim', 'witness', 'other'] as const;
export type TargetRole = (typeof TARGET_ROLES)[number];

/** The only data that can ever leave through the desk. */
export const DISCLOSABLE_DATA = ['ip_addresses', 'phone_number'] as const;
export type DisclosableData = (typeof DISCLOSABLE_DATA)[number];

export const AGENCY_FUNCTIONS = ['law_enforcement', 'prosecutor', 'court'] as const;
export type AgencyFunction = (typeof AGENCY_FUNCTIONS)[number];

export const LEGAL_STATES = ['received', 'acknowledged', 'in_review', 'needs_info', 'approved', 'package_produced', 'delivered', 'rejected', 'withdrawn'] as const;
export type LegalState = (typeof LEGAL_STATES)[number];

/** States a request never leaves. */
export const TERMINAL_LEGAL_STATES: readonly LegalState[] = ['delivered', 'rejected', 'withdrawn'];

export const REJECTION_REASONS = [
  'not_judicial',
  'no_suspect',
  'overbroad',
  'jurisdiction_not_accepted',
  'targets_unresolved',
  'data_not_disclosable',
  'invalid_process',
  'duplicate',
  'other',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Why one target is not produced although the request is approved. */
export const TARGET_WITHHOLD_REASONS = ['not_resolved', 'not_named_as_suspect', 'outside_scope', 'no_data_held', 'other'] as const;
export type TargetWithholdReason = (typeof TARGET_WITHHOLD_REASONS)[number];

/** How long an emergency disclosure may wait for its follow-up legal process. */
export const EMERGENCY_FOLLOW_UP_HOURS = 72;
/** Preservation: 90 days, renewable once for 90 (18 U.S.C. 2703(f)). */
export const PRESERVATION_DAYS = 90;
/** The longest period a request may cover. */
export const MAX_PERIOD_DAYS = 366;

/** A registered agency's id: what an agency person's `agency` grant names. */
export const AGENCY_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,62}$';
