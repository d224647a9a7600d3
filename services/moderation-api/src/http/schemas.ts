import {
  CATEGORIES,
  COUNTRY_CODE_LIST,
  DECISION_ACTIONS,
  DECISION_GROUND_KINDS,
  EEA_MEMBER_STATES,
  LANES,
  ROLES,
  STANDINGS,
  ACTOR_ID_PATTERN,
  AGENCY_ID_PATTERN,
  validatePersonBody,
  validatePersonPatch,
  TOKEN_NAME_PATTERN,
  STATEMENT_TEXT_PATTERN,
  ValidationError,
  compileValidator,
  externalIdSchema,
  reportJobSchema,
  type Category,
  type DecisionAction,
  type DecisionGroundKind,
  type Lane,
  type ReportJob,
  type ReporterType,
  type Role,
  type Standing,
} from '@takedown/shared';

/** Request bodies and query strings, validated with the shared Ajv; errors name the field. */

const id = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' } as const;
/** ISO 3166-1 alpha-2, officially assigned only: a restriction in "ZZ" would hide the post nowhere. */
const country = { type: 'string', enum: COUNTRY_CODE_LIST } as const;

export interface ReportBody extends Pick<ReportJob, 'content' | 'reason' | 'note'> {
  /** The client's own id: a retry with the same id makes one report. Scoped to the filing token. */
  reportId?: string;
  /** `type` may only be "user" or the standing the token was granted; absent = the token's standing. */
  reporter?: { id?: string; type?: ReporterType };
}

// A body names the reporter's own id and (at most) its standing; the standing holder's name and member state come from the token's person.
const { name: _name, memberState: _memberState, ...bodyReporterProperties } = reportJobSchema.properties.reporter.properties;

export const validateReportBody = compileValidator<ReportBody>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['content', 'reason'],
    properties: {
      // No ":" (BullMQ job ids) and short enough to carry the token-id scope.
      reportId: { type: 'string', minLength: 1, maxLength: 120, pattern: '^[A-Za-z0-9._-]+$' },
      content: reportJobSchema.properties.content,
      reporter: {
        type: 'object',
        additionalProperties: false,
        properties: bodyReporterProperties,
      },
      reason: reportJobSchema.properties.reason,
      note: reportJobSchema.properties.note,
    },
  },
  'report',
);

export const validateClaimBody = compileValidator<{ queue: Lane }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['queue'],
    properties: { queue: { type: 'string', enum: LANES } },
  },
  'claim',
);

export const validateLeaseBody = compileValidator<{ leaseToken: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['leaseToken'],
    properties: { leaseToken: { type: 'string', minLength: 1, maxLength: 200 } },
  },
  'lease',
);

export interface DecisionBody {
  leaseToken: string;
  action: DecisionAction;
  category: Category;
  /** For an illegal-content decision the law relied on; for a terms-and-conditions one the clause of the terms. */
  legalGround: string;
  countries?: string[];
  note?: string;
  /** The statement of reasons' ground; default: the category's (terms_and_conditions for `other`, illegal_content otherwise). */
  ground?: DecisionGroundKind;
  /** Why the content is illegal or incompatible with the terms; default: the category's standard explanation. Public: no names, no quotes. */
  explanation?: string;
  /** Only with ground terms_and_conditions: whether the content is also illegal. */
  alsoIllegal?: boolean;
}

/** Text that goes into a public statement of reasons: some character the statement keeps (not white space, control characters, or what the database trims). */
const statementText = (min: number, max: number) => ({ type: 'string', minLength: min, maxLength: max, pattern: STATEMENT_TEXT_PATTERN }) as const;

export const validateDecisionBody = compileValidator<DecisionBody>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['leaseToken', 'action', 'category', 'legalGround'],
    properties: {
      leaseToken: { type: 'string', minLength: 1, maxLength: 200 },
      action: { type: 'string', enum: DECISION_ACTIONS },
      category: { type: 'string', enum: CATEGORIES },
      legalGround: statementText(3, 500),
      countries: { type: 'array', items: country, minItems: 1, maxItems: 250, uniqueItems: true },
      note: { type: 'string', maxLength: 5000 },
      ground: { type: 'string', enum: DECISION_GROUND_KINDS },
      explanation: statementText(3, 2000),
      alsoIllegal: { type: 'boolean' },
    },
    allOf: [
      // A restriction names where it applies; nothing else takes countries.
      {
        if: { properties: { action: { const: 'restrict' } }, required: ['action'] },
        then: { properties: { countries: true }, required: ['countries'] },
        else: { not: { properties: { countries: true }, required: ['countries'] } },
      },
      // Category other has no illegal-content category in the Transparency Database: it is a terms decision.
      {
        if: { properties: { category: { const: 'other' } }, required: ['category'] },
        then: { properties: { ground: { enum: ['terms_and_conditions'] } } },
      },
      // alsoIllegal qualifies a terms decision only, so it names that ground.
      {
        if: { properties: { alsoIllegal: true }, required: ['alsoIllegal'] },
        then: { properties: { ground: { enum: ['terms_and_conditions'] } }, required: ['ground'] },
      },
    ],
  },
  'decision',
);

export interface CategoryMoveBody {
  to: Category;
  reason: string;
  /** The requester's lease on the case, released with the request. */
  leaseToken?: string;
}

export const validateCategoryMoveBody = compileValidator<CategoryMoveBody>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['to', 'reason'],
    properties: {
      to: { type: 'string', enum: CATEGORIES },
      reason: { type: 'string', minLength: 3, maxLength: 2000 },
      leaseToken: { type: 'string', minLength: 1, maxLength: 200 },
    },
  },
  'category move',
);

export const validateCategoryMoveConfirmBody = compileValidator<{ confirm: boolean; note?: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['confirm'],
    properties: { confirm: { type: 'boolean' }, note: { type: 'string', maxLength: 2000 } },
  },
  'category move confirmation',
);

export const validateAppealBody = compileValidator<{ contentId: string; decisionId: string; reason: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['contentId', 'decisionId', 'reason'],
    properties: { contentId: id, decisionId: id, reason: { type: 'string', minLength: 3, maxLength: 5000 } },
  },
  'appeal',
);

export interface CaseListQuery {
  queue?: Lane;
  status?: 'open' | 'claimed' | 'decided';
  category?: Category;
  sort?: 'priority' | 'age';
  size?: string;
  from?: string;
  authorId?: string;
  ruleId?: string;
  /** "true": only cases with a category move awaiting confirmation. */
  pendingMove?: 'true';
}

/** Elasticsearch's index.max_result_window: from + size beyond it is refused by Elasticsearch, so by us first. */
export const MAX_RESULT_WINDOW = 10_000;

export const validateCaseListShape = compileValidator<CaseListQuery>(
  {
    type: 'object',
    additionalProperties: false,
    properties: {
      queue: { type: 'string', enum: LANES },
      status: { type: 'string', enum: ['open', 'claimed', 'decided'] },
      category: { type: 'string', enum: CATEGORIES },
      sort: { type: 'string', enum: ['priority', 'age'] },
      size: { type: 'string', pattern: '^(100|[1-9][0-9]?)$' },
      from: { type: 'string', pattern: '^(0|[1-9][0-9]{0,3})$' },
      authorId: externalIdSchema,
      ruleId: id,
      pendingMove: { type: 'string', enum: ['true'] },
    },
  },
  'query',
);

/** GET /v1/cases query: the shape (ajv), then the one cross-field rule a schema cannot say, from + size within the result window. */
export function validateCaseListQuery(input: unknown): Omit<CaseListQuery, 'from' | 'size'> & { from: number; size: number } {
  const q = validateCaseListShape(input);
  const from = q.from === undefined ? 0 : Number(q.from);
  const size = q.size === undefined ? DEFAULT_CASE_PAGE : Number(q.size);
  if (from + size > MAX_RESULT_WINDOW) {
    throw new ValidationError(`query: /from + /size must not exceed ${MAX_RESULT_WINDOW} (got ${from} + ${size}); narrow the filters instead`, '/from', 'result_window_too_large');
  }
  return { ...q, from, size };
}

export const DEFAULT_CASE_PAGE = 50;

/** GET /v1/rules/draft/export query. */
export const validateExportQuery = compileValidator<{ format?: 'csv' | 'json' }>(
  { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['csv', 'json'] } } },
  'query',
);

const tokenName = { type: 'string', pattern: TOKEN_NAME_PATTERN } as const;
const actorId = { type: 'string', pattern: ACTOR_ID_PATTERN } as const;

/**
 * POST /v1/tokens: a token for an existing person (`actorId`, in one of
 * their roles), or, without `actorId`, a new person holding just this
 * role, named after the token. Grants belong to people: `csam` and
 * `standing` only when the token makes its own person.
 */
export const validateTokenBody = compileValidator<{ role: Role; name: string; actorId?: string; csam?: boolean; standing?: Standing; memberState?: string; agency?: string; emergency?: boolean }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['role', 'name'],
    properties: {
      role: { type: 'string', enum: ROLES },
      name: tokenName,
      actorId,
      csam: { type: 'boolean' },
      standing: { type: 'string', enum: STANDINGS },
      memberState: { type: 'string', enum: EEA_MEMBER_STATES },
      agency: { type: 'string', pattern: AGENCY_ID_PATTERN },
      emergency: { type: 'boolean' },
    },
    allOf: [
      // The state that designated a trusted flagger, or an authority's own.
      { if: { properties: { memberState: true }, required: ['memberState'] }, then: { properties: { standing: { enum: ['trusted_flagger', 'authority'] } }, required: ['standing'] } },
      // Standing is what a reporter's reports weigh; no other role files reports.
      { if: { properties: { standing: true }, required: ['standing'] }, then: { properties: { role: { const: 'reporter' } } } },
      // An agency person acts for one registered agency; only legal officers disclose emergencies alone.
      { if: { properties: { agency: true }, required: ['agency'] }, then: { properties: { role: { const: 'agency' } } } },
      { if: { properties: { role: { const: 'agency' } }, required: ['role'], not: { properties: { actorId: true }, required: ['actorId'] } }, then: { properties: { agency: true }, required: ['agency'] } },
      { if: { properties: { emergency: { const: true } }, required: ['emergency'] }, then: { properties: { role: { const: 'legal' } } } },
    ],
  },
  'token',
);

/** POST /v1/people/:actorId/tokens */
export { validatePersonBody, validatePersonPatch };

/** POST /v1/people/:actorId/csam-grant: a second admin's answer. */
export const validateGrantDecisionBody = compileValidator<{ confirm: boolean }>(
  { type: 'object', additionalProperties: false, required: ['confirm'], properties: { confirm: { type: 'boolean' } } },
  'grant decision',
);

export const validatePersonTokenBody = compileValidator<{ role: Role; name: string }>(
  { type: 'object', additionalProperties: false, required: ['role', 'name'], properties: { role: { type: 'string', enum: ROLES }, name: tokenName } },
  'token',
);


