import {
  AGENCY_FUNCTIONS,
  AGENCY_ID_PATTERN,
  COUNTRY_CODE_LIST,
  DISCLOSABLE_DATA,
  LEGAL_PROCESS_KINDS,
  LEGAL_REQUEST_TYPES,
  LEGAL_STATES,
  MAX_PERIOD_DAYS,
  REJECTION_REASONS,
  TARGET_KINDS,
  TARGET_ROLES,
  TARGET_WITHHOLD_REASONS,
  ValidationError,
  compileValidator,
  externalIdSchema,
  normalizeTarget,
  type AgencyFunction,
  type DisclosableData,
  type LegalProcessKind,
  type LegalRequestType,
  type LegalState,
  type RejectionReason,
  type TargetKind,
  type TargetRole,
  type TargetWithholdReason,
} from '@takedown/shared';

/**
 * The legal desk's request bodies and query strings. Every refusal names
 * the field (`/dataRequested/1`, `/targets/3/value`); no message ever
 * quotes a value (Ajv's messages name the rule, not the input).
 */

/** The largest legal process document (PDF). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** Its base64 length. */
const MAX_DOCUMENT_BASE64 = Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4;
export const MAX_TARGETS = 50;

const line = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }) as const;
const note = { type: 'string', maxLength: 5000 } as const;
const isoTime = { type: 'string', format: 'date-time' } as const;
const isoDate = { type: 'string', format: 'date' } as const;
const email = { type: 'string', maxLength: 254, pattern: "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$" } as const;

export interface DocumentBody {
  /** The PDF, base64. */
  base64: string;
  filename?: string;
}

export interface LegalProcessBody {
  kind: LegalProcessKind;
  reference: string;
  issuedBy: string;
  issuedAt: string;
  document?: DocumentBody;
}

const documentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['base64'],
  properties: { base64: { type: 'string', minLength: 8, maxLength: MAX_DOCUMENT_BASE64 }, filename: line(200) },
} as const;

const legalProcessSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'reference', 'issuedBy', 'issuedAt'],
  properties: {
    kind: { type: 'string', enum: LEGAL_PROCESS_KINDS },
    reference: line(200),
    issuedBy: line(300),
    issuedAt: isoDate,
    document: documentSchema,
  },
} as const;

/** A phone number as orders write it: E.164, perhaps with spaces, dashes, dots or brackets (checked as E.164 once they are out). */
export const PHONE_PATTERN = '^\\+[1-9][0-9 ().\\u00a0-]{6,30}$';

export interface IntakeBody {
  type: LegalRequestType;
  /** Named by the officer; an agency's comes from its token. */
  agencyId?: string;
  requester: { name: string; email: string };
  legalProcess: LegalProcessBody;
  legalBasis: string;
  offenceCategory: string;
  statesSuspect: boolean;
  targets: { kind: TargetKind; value: string; role: TargetRole }[];
  dataRequested: DisclosableData[];
  period: { from: string; to: string };
  nonDisclosureUntil: string | null;
  dueAt: string;
  emergency?: { description: string };
}

export const validateIntakeShape = compileValidator<IntakeBody>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'requester', 'legalProcess', 'legalBasis', 'offenceCategory', 'statesSuspect', 'targets', 'dataRequested', 'period', 'nonDisclosureUntil', 'dueAt'],
    properties: {
      type: { type: 'string', enum: LEGAL_REQUEST_TYPES },
      agencyId: { type: 'string', pattern: AGENCY_ID_PATTERN },
      requester: { type: 'object', additionalProperties: false, required: ['name', 'email'], properties: { name: line(200), email } },
      legalProcess: legalProcessSchema,
      legalBasis: line(1000),
      offenceCategory: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9_ -]*$' },
      statesSuspect: { type: 'boolean' },
      targets: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_TARGETS,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'value', 'role'],
          properties: { kind: { type: 'string', enum: TARGET_KINDS }, value: externalIdSchema, role: { type: 'string', enum: TARGET_ROLES } },
          if: { properties: { kind: { const: 'phone_number' } }, required: ['kind'] },
          then: { properties: { value: { type: 'string', pattern: PHONE_PATTERN } } },
        },
      },
      dataRequested: { type: 'array', minItems: 1, maxItems: DISCLOSABLE_DATA.length, uniqueItems: true, items: { type: 'string', enum: DISCLOSABLE_DATA } },
      period: { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: isoTime, to: isoTime } },
      nonDisclosureUntil: { anyOf: [isoTime, { type: 'null' }] },
      dueAt: isoTime,
      emergency: { type: 'object', additionalProperties: false, required: ['description'], properties: { description: { type: 'string', minLength: 10, maxLength: 5000 } } },
    },
    allOf: [
      // An emergency describes the risk; nothing else carries one.
      {
        if: { properties: { type: { const: 'emergency' } }, required: ['type'] },
        then: { properties: { emergency: true }, required: ['emergency'] },
      },
      // Records and preservation arrive with their order; an emergency's follows (POST …/follow-up).
      {
        if: { properties: { type: { enum: ['records', 'preservation'] } }, required: ['type'] },
        then: { properties: { legalProcess: { type: 'object', properties: { document: true }, required: ['document'] } } },
      },
    ],
  },
  'legal request',
);

const DAY = 86400_000;

/** The shape, then what a schema cannot say: the period's order, length and end, the same target twice. */
export function validateIntakeBody(input: unknown, now: Date): IntakeBody {
  const b = validateIntakeShape(input);
  if (b.emergency && b.type !== 'emergency') throw new ValidationError('legal request: /emergency is for requests of type emergency', '/emergency');
  const from = Date.parse(b.period.from);
  const to = Date.parse(b.period.to);
  if (!(from < to)) throw new ValidationError('legal request: /period/to must be after /period/from', '/period/to');
  if (to - from > MAX_PERIOD_DAYS * DAY) throw new ValidationError(`legal request: /period may cover at most ${MAX_PERIOD_DAYS} days`, '/period/to', 'period_too_long');
  if (to > now.getTime()) throw new ValidationError('legal request: /period/to must not be in the future', '/period/to', 'period_in_future');
  const seen = new Map<string, number>();
  b.targets.forEach((t, i) => {
    // The form the source looks a target up in (a number without its spaces, a username without its @): the same target twice is refused.
    const n = normalizeTarget(t);
    if (!n.ok) throw new ValidationError(`legal request: /targets/${i}/value is ${n.reason}`, `/targets/${i}/value`);
    const key = `${t.kind}\u0000${t.kind === 'username' ? n.value.toLowerCase() : n.value}`;
    if (seen.has(key)) throw new ValidationError(`legal request: /targets/${i} repeats target ${seen.get(key)}`, `/targets/${i}`, 'duplicate_target');
    seen.set(key, i);
  });
  return b;
}

/** Decodes a document and checks it is a PDF within the limit, naming `field` otherwise. */
export function decodePdf(doc: DocumentBody, field: string): Buffer {
  const b64 = doc.base64;
  // Size first, from the length alone: no need to decode (or scan) 15 MB to refuse it.
  if (Math.floor(b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0) > MAX_DOCUMENT_BYTES) {
    throw new ValidationError(`${field} may be ${MAX_DOCUMENT_BYTES} bytes at most`, `${field}/base64`, 'document_too_large');
  }
  // One character class, no backtracking: a pattern like ^[…]+={0,2}$ overflows the regex stack on megabytes.
  const pad = b64.indexOf('=');
  if (b64.length === 0 || b64.length % 4 !== 0 || /[^A-Za-z0-9+/=]/.test(b64) || (pad !== -1 && (pad < b64.length - 2 || /[^=]/.test(b64.slice(pad))))) {
    throw new ValidationError(`${field}/base64 must be standard base64`, `${field}/base64`);
  }
  const data = Buffer.from(b64, 'base64');
  if (data.length > MAX_DOCUMENT_BYTES) throw new ValidationError(`${field} may be ${MAX_DOCUMENT_BYTES} bytes at most`, `${field}/base64`, 'document_too_large');
  if (data.subarray(0, 5).toString('latin1') !== '%PDF-') throw new ValidationError(`${field} must be a PDF (it does not start with %PDF-)`, `${field}/base64`, 'not_a_pdf');
  return data;
}

export const validateAgencyBody = compileValidator<{ id: string; name: string; country: string; function: AgencyFunction }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'name', 'country', 'function'],
    properties: { id: { type: 'string', pattern: AGENCY_ID_PATTERN }, name: line(200), country: { type: 'string', enum: COUNTRY_CODE_LIST }, function: { type: 'string', enum: AGENCY_FUNCTIONS } },
  },
  'agency',
);

export const validateNoteBody = compileValidator<{ note?: string }>({ type: 'object', additionalProperties: false, properties: { note } }, 'body');

export const validateRejectBody = compileValidator<{ reason: RejectionReason; note?: string }>(
  { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', enum: REJECTION_REASONS }, note } },
  'rejection',
);

export interface InfoReceivedBody {
  note?: string;
  /** What the agency sent: a new or corrected legal process, a statement that the target is a suspect, a legal basis. */
  amend?: { legalProcess?: LegalProcessBody; statesSuspect?: boolean; legalBasis?: string };
}

export const validateInfoReceivedBody = compileValidator<InfoReceivedBody>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      note,
      amend: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: { legalProcess: { ...legalProcessSchema, required: [...legalProcessSchema.required, 'document'] }, statesSuspect: { type: 'boolean' }, legalBasis: line(1000) },
      },
    },
  },
  'information',
);

export const validateFollowUpBody = compileValidator<{ legalProcess: LegalProcessBody; note?: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['legalProcess'],
    properties: { legalProcess: { ...legalProcessSchema, required: [...legalProcessSchema.required, 'document'] }, note },
  },
  'follow-up',
);

export const validateTargetDecisionShape = compileValidator<{ produce: boolean; reason?: TargetWithholdReason; note?: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['produce'],
    properties: { produce: { type: 'boolean' }, reason: { type: 'string', enum: TARGET_WITHHOLD_REASONS }, note },
    // Not producing says why; producing needs no reason.
    if: { properties: { produce: { const: false } }, required: ['produce'] },
    then: { properties: { reason: true }, required: ['reason'] },
  },
  'target decision',
);

export function validateTargetDecisionBody(input: unknown): { produce: boolean; reason?: TargetWithholdReason; note?: string } {
  const b = validateTargetDecisionShape(input);
  if (b.produce && b.reason !== undefined) throw new ValidationError('target decision: /reason is for targets not produced', '/reason');
  return b;
}

export const validateDeliveredBody = compileValidator<{ channel: string; note?: string }>(
  { type: 'object', additionalProperties: false, required: ['channel'], properties: { channel: line(200), note } },
  'delivery',
);

export interface LegalListQuery {
  state?: string;
  type?: LegalRequestType;
  agency?: string;
  dueBefore?: string;
  dueAfter?: string;
  overdue?: 'true';
  sort?: 'due' | 'received';
  size?: string;
  from?: string;
}

export const validateListShape = compileValidator<LegalListQuery>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      state: { type: 'string', pattern: `^(${LEGAL_STATES.join('|')})(,(${LEGAL_STATES.join('|')}))*$` },
      type: { type: 'string', enum: LEGAL_REQUEST_TYPES },
      agency: { type: 'string', pattern: AGENCY_ID_PATTERN },
      dueBefore: isoTime,
      dueAfter: isoTime,
      overdue: { type: 'string', enum: ['true'] },
      sort: { type: 'string', enum: ['due', 'received'] },
      size: { type: 'string', pattern: '^(100|[1-9][0-9]?)$' },
      from: { type: 'string', pattern: '^(0|[1-9][0-9]{0,3})$' },
    },
  },
  'query',
);

export function validateLegalListQuery(input: unknown): Omit<LegalListQuery, 'state' | 'from' | 'size'> & { states?: LegalState[]; from: number; size: number } {
  const { state, from, size, ...rest } = validateListShape(input);
  const f = from === undefined ? 0 : Number(from);
  const s = size === undefined ? 50 : Number(size);
  if (f + s > 10_000) throw new ValidationError('query: /from + /size must not exceed 10000; narrow the filters instead', '/from', 'result_window_too_large');
  return { ...rest, ...(state ? { states: state.split(',') as LegalState[] } : {}), from: f, size: s };
}

export const validateNoticeQuery = compileValidator<{ state?: 'held' | 'due' | 'delivered' }>(
  { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: ['held', 'due', 'delivered'] } } },
  'query',
);

export const validateTransparencyQuery = compileValidator<{ period: string; format?: 'json' | 'csv' }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['period'],
    properties: { period: { type: 'string', pattern: '^[0-9]{4}-Q[1-4]$' }, format: { type: 'string', enum: ['json', 'csv'] } },
  },
  'query',
);

/** Route parameters: request ids and notice ids as the desk makes them. */
export const REQUEST_ID_PATTERN = /^lr-[0-9]{8}-[0-9a-f]{10}$/;
export const NOTICE_ID_PATTERN = /^(lr-[0-9]{8}-[0-9a-f]{10})\.([0-9]{1,2})$/;
