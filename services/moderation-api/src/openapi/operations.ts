import { featureSchema, validateFeatureDefinition, type Validator } from '@takedown/shared';
import { ruleSchema, validateRuleDefinition } from '@takedown/search-rules';
import type { Endpoint } from '../access';
import {
  validateAppealBody,
  validateCaseListShape,
  validateCategoryMoveBody,
  validateCategoryMoveConfirmBody,
  validateClaimBody,
  validateDecisionBody,
  validateExportQuery,
  validateGrantDecisionBody,
  validateLeaseBody,
  validatePersonBody,
  validatePersonPatch,
  validatePersonTokenBody,
  validateReportBody,
  validateTokenBody,
} from '../http/schemas';
import { validateEvaluateQuery, validateFeatureKey, validateFeaturePublishBody, validateFeatureRollbackBody } from '../http/feature-schemas';
import {
  validateAgencyBody,
  validateDeliveredBody,
  validateFollowUpBody,
  validateInfoReceivedBody,
  validateIntakeBody,
  validateIntakeShape,
  validateListShape,
  validateNoteBody,
  validateNoticeQuery,
  validateRejectBody,
  validateTargetDecisionBody,
  validateTargetDecisionShape,
  validateTransparencyQuery,
} from '../http/legal-schemas';
import { validateUploadCheckBody } from '../http/upload-schemas';
import { validateRulePageQuery } from '../rules/rule-page';
import { validateReveal } from '../routes/console-api';
import { validatePdqBody } from '../routes/media-pdq';
import { validateEmojiBody, validateImportBody, validatePublishBody, validateRescanBody, validateRollbackBody } from '../routes/rules';
import { validateListQuery as validateStatementListQuery, validateRebuild, validateRequeue } from '../routes/statements';
import { validateArt15Query } from '../routes/transparency-dsa';
import { validateStatsSeriesQuery } from '../routes/stats-series';

/**
 * What the OpenAPI document says about each endpoint beyond ACCESS (which
 * gives the roles). Request schemas are the validators the routes call (a
 * Validator carries its schema), so the contract and the checks are one.
 */
export interface RequestBodySpec {
  /** The schema the route validates with. */
  schema: object;
  /** Properties the server fills (from the path or the token): left out of the documented body. */
  serverFilled?: readonly string[];
  /** Runs the example through exactly what the route runs. */
  validate: (body: unknown) => unknown;
  example: unknown;
}

export interface OperationSpec {
  summary: string;
  /** The success status and what it carries. */
  success: { status: 200 | 201 | 202 | 204; description: string; contentType?: string };
  /** Further success statuses (a PUT that creates answers 201, one that replaces 200). */
  alsoSuccess?: { status: 200 | 201 | 202 | 204; description: string };
  query?: Validator<unknown>;
  /** The validator the route runs on its path parameters, where it runs one. */
  pathParams?: Validator<unknown>;
  body?: RequestBodySpec;
  /** Error statuses this endpoint answers beyond the common ones (400 for bodies and queries, 401 and 403 for tokens). */
  errors?: readonly (404 | 409 | 413 | 429 | 503)[];
}

const of = (v: Validator<unknown>, example: unknown): RequestBodySpec => ({ schema: v.schema as object, validate: v, example });

const LEASE = 'b7c6b8e2-0f1e-4d7a-9d1e-2f0c9a3e4b5d';
const PDF_BASE64 = Buffer.from('%PDF-1.7\n% example order\n').toString('base64');
const legalProcess = { kind: 'court_order', reference: 'AG-2026-0142', issuedBy: 'Amtsgericht Berlin-Tiergarten', issuedAt: '2026-11-02', document: { base64: PDF_BASE64, filename: 'order.pdf' } };
const NOW = new Date('2026-11-30T12:00:00Z');

export const OPERATIONS: Record<Endpoint, OperationSpec> = {
  'GET /v1/me': { summary: 'Who the token belongs to: person, roles and grants', success: { status: 200, description: 'The caller' } },
  'GET /v1/queues': { summary: 'Queue depths per lane', success: { status: 200, description: 'Depth and oldest age per lane' } },
  'POST /v1/review/:caseId/reveal': {
    summary: 'Reveal one blurred media item of a leased case (audited)',
    success: { status: 204, description: 'Revealed' },
    body: of(validateReveal, { leaseToken: LEASE, index: 0 }),
    errors: [404, 409],
  },
  'GET /v1/cases/:caseId/media/:index': { summary: 'One media item of a case', success: { status: 200, description: 'The media bytes', contentType: 'application/octet-stream' }, errors: [404] },
  'GET /v1/stats': { summary: 'Moderation statistics (aggregates)', success: { status: 200, description: 'Counts and latencies' } },
  'GET /v1/stats/series': {
    summary: 'Dashboard history: queue depth and oldest age per lane, decisions by action, blocked searches by category (at most 720 points a series)',
    success: { status: 200, description: 'Time series over the range' },
    query: validateStatsSeriesQuery,
  },
  'POST /v1/reports': {
    summary: 'File a report (notice) about a piece of content',
    success: { status: 202, description: 'Acknowledged: the report is queued durably' },
    body: of(validateReportBody, { reportId: 'r-2026-11-30-0001', content: { id: 'post-8812', type: 'post', authorId: 'acct-1203', text: 'the reported text' }, reason: 'weapons', note: 'Sells weapons without a licence' }),
    errors: [409, 429],
  },
  'GET /v1/reports/:reportId': { summary: 'The state of a report filed with this token', success: { status: 200, description: 'The report and its outcome' }, errors: [404] },
  'POST /v1/appeals': {
    summary: 'Appeal a decision',
    success: { status: 202, description: 'Queued on the appeals lane' },
    body: of(validateAppealBody, { contentId: 'post-8812', decisionId: 'd-7f3a', reason: 'The post quotes the law, it does not sell anything.' }),
    errors: [404, 409],
  },
  'POST /v1/media/pdq': {
    summary: 'Compute the PDQ hash of an image (not stored)',
    success: { status: 200, description: 'The hash and its quality' },
    body: of(validatePdqBody, { image: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' }),
    errors: [413, 503],
  },
  'GET /v1/cases': { summary: 'Search cases', success: { status: 200, description: 'A page of cases' }, query: validateCaseListShape },
  'GET /v1/cases/:caseId': { summary: 'One case', success: { status: 200, description: 'The case' }, errors: [404] },
  'POST /v1/review/claim': { summary: 'Claim the next case of a lane (a lease)', success: { status: 200, description: 'The leased case' }, alsoSuccess: { status: 204, description: 'The lane is empty' }, body: of(validateClaimBody, { queue: 'default' }), errors: [429] },
  'POST /v1/review/:caseId/heartbeat': { summary: 'Extend a lease', success: { status: 200, description: 'The new lease expiry' }, body: of(validateLeaseBody, { leaseToken: LEASE }), errors: [404, 409] },
  'POST /v1/review/:caseId/release': { summary: 'Give a leased case back', success: { status: 204, description: 'Released' }, body: of(validateLeaseBody, { leaseToken: LEASE }), errors: [404, 409] },
  'POST /v1/review/:caseId/decision': {
    summary: 'Decide a leased case',
    success: { status: 201, description: 'The decision id' },
    body: of(validateDecisionBody, { leaseToken: LEASE, action: 'restrict', category: 'weapons', legalGround: 'WaffG § 2 (German Weapons Act)', countries: ['DE'], note: 'Listing offers a firearm without a licence' }),
    errors: [404, 409],
  },
  'POST /v1/cases/:caseId/category-move': {
    summary: 'Ask to move a case to another category',
    success: { status: 202, description: 'Pending: another person confirms it' },
    body: of(validateCategoryMoveBody, { to: 'fraud', reason: 'A phishing page, not a weapons sale', leaseToken: LEASE }),
    errors: [404, 409],
  },
  'POST /v1/cases/:caseId/category-move/confirm': {
    summary: 'Confirm or refuse a pending category move',
    success: { status: 200, description: 'The case after the answer' },
    body: of(validateCategoryMoveConfirmBody, { confirm: true, note: 'Agreed' }),
    errors: [404, 409],
  },
  'GET /v1/audit/verify': { summary: 'Verify the audit hash chain', success: { status: 200, description: 'Whether the chain is intact' } },
  'GET /v1/people': { summary: 'List people', success: { status: 200, description: 'People and their tokens' } },
  'POST /v1/people': { summary: 'Add a person', success: { status: 201, description: 'The person' }, body: of(validatePersonBody, { displayName: 'Mira Kovač', email: 'mira@example.org', roles: ['moderator'] }), errors: [409] },
  'GET /v1/people/:actorId': { summary: 'One person', success: { status: 200, description: 'The person' }, errors: [404] },
  'PATCH /v1/people/:actorId': { summary: 'Change a person', success: { status: 200, description: 'The person' }, body: of(validatePersonPatch, { roles: ['moderator', 'lead'] }), errors: [404, 409] },
  'DELETE /v1/people/:actorId': { summary: 'Remove a person and revoke their tokens', success: { status: 200, description: 'Removed' }, errors: [404] },
  'POST /v1/people/:actorId/tokens': { summary: 'Issue a token for a person', success: { status: 201, description: 'The token (shown once) and its record' }, body: of(validatePersonTokenBody, { role: 'moderator', name: 'mira-laptop' }), errors: [404, 409] },
  'POST /v1/people/:actorId/csam-grant': { summary: "Confirm or refuse a person's csam grant (a second admin)", success: { status: 200, description: 'The person' }, body: of(validateGrantDecisionBody, { confirm: true }), errors: [404, 409] },
  'GET /v1/tokens': { summary: 'List tokens (never their secrets)', success: { status: 200, description: 'Token records' } },
  'POST /v1/tokens': { summary: 'Issue a token', success: { status: 201, description: 'The token (shown once) and its record' }, body: of(validateTokenBody, { role: 'reporter', name: 'hotline-de', standing: 'trusted_flagger', memberState: 'DE' }), errors: [409] },
  'DELETE /v1/tokens/:idOrName': { summary: 'Revoke a token', success: { status: 200, description: 'Revoked' }, errors: [404] },
  'GET /v1/rules/draft': { summary: 'The draft ruleset', success: { status: 200, description: 'Draft rules' } },
  'GET /v1/rules/draft-page': { summary: 'A page of draft rules, filtered', success: { status: 200, description: 'A page of rules' }, query: validateRulePageQuery },
  'GET /v1/rules/draft-emoji': { summary: 'The draft emoji table', success: { status: 200, description: 'Emoji to words' } },
  'PUT /v1/rules/draft-emoji': { summary: 'Replace the draft emoji table', success: { status: 200, description: 'The table and its diff' }, body: of(validateEmojiBody, { emojiWords: { '🔫': 'gun' } }) },
  'PUT /v1/rules/draft/:ruleId': {
    summary: 'Create or replace a draft rule',
    success: { status: 201, description: 'Created' },
    alsoSuccess: { status: 200, description: 'Replaced' },
    body: {
      schema: ruleSchema,
      serverFilled: ['id', 'createdBy', 'createdAt'],
      // As the route does: the id from the path, provenance from the token.
      validate: (b) => validateRuleDefinition({ ...(b as object), id: 'example-rule', createdBy: 'example', createdAt: NOW.toISOString() }),
      example: { kind: 'phrase', pattern: 'buy ghost gun', category: 'weapons', scope: ['query', 'content'], action: 'exclude', countries: ['DE'] },
    },
  },
  'DELETE /v1/rules/draft/:ruleId': { summary: 'Delete a draft rule', success: { status: 204, description: 'Deleted' }, errors: [404] },
  'POST /v1/rules/draft/import': { summary: 'Import rules into the draft (CSV, JSON or a PDQ list)', success: { status: 200, description: 'What changed' }, body: of(validateImportBody, { format: 'csv', mode: 'merge', content: 'id,kind,pattern,category,scope,action\nexample-1,term,ghostgun,weapons,query,block_query\n' }), errors: [413] },
  'GET /v1/rules/draft/export': { summary: 'Export the draft', success: { status: 200, description: 'CSV or JSON' }, query: validateExportQuery },
  'GET /v1/rules/preview': { summary: 'What the draft would change against live content', success: { status: 200, description: 'Preview counts and samples' } },
  'POST /v1/rules/publish': { summary: 'Publish the draft as a new ruleset version', success: { status: 201, description: 'The version, its diff and the backfill started' }, body: of(validatePublishBody, { note: 'Adds weapons phrases for DE' }), errors: [409] },
  'POST /v1/rules/rollback': { summary: 'Publish an earlier version again', success: { status: 201, description: 'The new version' }, body: of(validateRollbackBody, { version: 3, note: 'Version 4 over-blocked' }), errors: [404, 409] },
  'GET /v1/rules/versions': { summary: 'Published ruleset versions', success: { status: 200, description: 'Versions' } },
  'GET /v1/rules/versions/:version': { summary: 'One published version', success: { status: 200, description: 'The ruleset' }, errors: [404] },
  'GET /v1/rules/shadow': { summary: 'What shadow rules would have matched', success: { status: 200, description: 'Shadow matches' } },
  'GET /v1/rules/backfill': { summary: 'Backfill (rescan) progress', success: { status: 200, description: 'Progress' } },
  'POST /v1/rules/backfill': { summary: 'Start a rescan of indexed content', success: { status: 202, description: 'Started' }, body: of(validateRescanBody, { sweep: 'changed' }), errors: [409] },
  'GET /v1/features': { summary: 'Published feature switches', success: { status: 200, description: 'Features' } },
  'GET /v1/features/draft': { summary: 'Draft feature switches', success: { status: 200, description: 'Draft features' } },
  'PUT /v1/features/draft/:featureKey': {
    summary: 'Create or replace a draft feature switch',
    pathParams: validateFeatureKey,
    success: { status: 201, description: 'Created' },
    alsoSuccess: { status: 200, description: 'Replaced' },
    body: {
      schema: featureSchema,
      serverFilled: ['key', 'updatedBy', 'updatedAt'],
      // As the route does: the key from the path, provenance from the token.
      validate: (b) => validateFeatureDefinition({ ...(b as object), key: 'uploads', updatedBy: 'example', updatedAt: NOW.toISOString() }, NOW),
      example: { description: 'Media uploads', default: 'on', failMode: 'closed', rules: [{ id: 'new-accounts-off', state: 'off', accountAgeDaysBelow: 2, reason: 'Spam waves from new accounts', legalBasis: { text: 'Terms of service § 4.2', reference: 'ToS-4.2' } }] },
    },
  },
  'DELETE /v1/features/draft/:featureKey': { summary: 'Delete a draft feature switch', pathParams: validateFeatureKey, success: { status: 204, description: 'Deleted' }, errors: [404] },
  'GET /v1/features/preview': { summary: 'The draft against the published set', success: { status: 200, description: 'Diff' } },
  'GET /v1/features/states': { summary: 'Each feature per country and platform', success: { status: 200, description: 'States' } },
  'POST /v1/features/publish': { summary: 'Publish the draft features', success: { status: 201, description: 'The version and its diff' }, body: of(validateFeaturePublishBody, { note: 'Uploads off for new accounts' }), errors: [409] },
  'POST /v1/features/rollback': { summary: 'Publish an earlier feature version again', success: { status: 201, description: 'The new version' }, body: of(validateFeatureRollbackBody, { version: 2, note: 'Undo uploads switch' }), errors: [404, 409] },
  'GET /v1/features/versions': { summary: 'Published feature versions', success: { status: 200, description: 'Versions' } },
  'GET /v1/features/versions/:version': { summary: 'One published feature version', success: { status: 200, description: 'The features' }, errors: [404] },
  'GET /v1/features/evaluate': { summary: 'Which features are on for a country, platform and account', success: { status: 200, description: 'Feature states' }, query: validateEvaluateQuery },
  'POST /v1/uploads/check': {
    summary: 'May this media be uploaded here?',
    success: { status: 200, description: 'Allowed or refused, with the reason' },
    body: of(validateUploadCheckBody, { feature: 'uploads', country: 'DE', accountId: 'acct-1203', accountAgeDays: 30, media: { sha256: 'a'.repeat(64), size: 48213, mime: 'image/jpeg' } }),
  },
  'GET /metrics': { summary: 'Prometheus metrics (aggregates, nothing per user)', success: { status: 200, description: 'Prometheus text format', contentType: 'text/plain' } },
  'GET /v1/statements/summary': { summary: 'Statements of reasons per submission status', success: { status: 200, description: 'Counts' } },
  'GET /v1/statements': { summary: 'Statements of reasons with a status', success: { status: 200, description: 'A page of statements' }, query: validateStatementListQuery },
  'POST /v1/statements/:puid/requeue': { summary: 'Submit a statement again', success: { status: 200, description: 'Requeued' }, body: of(validateRequeue, { note: 'Database was down' }), errors: [404, 409] },
  'POST /v1/statements/:puid/rebuild': { summary: 'Rebuild a refused statement from its decision', success: { status: 200, description: 'Rebuilt and queued' }, body: of(validateRebuild, { note: 'Vocabulary fixed' }), errors: [404, 409] },
  'POST /v1/session/admin-cookie': { summary: 'Open a queue-board session (a cookie holding a random id)', success: { status: 204, description: 'Cookie set' } },
  'DELETE /v1/session/admin-cookie': { summary: 'End every queue-board session of this token', success: { status: 204, description: 'Cookie cleared' } },
  'GET /admin/queues': { summary: 'The BullMQ queue board (HTML)', success: { status: 200, description: 'The board', contentType: 'text/html' } },
  'POST /v1/legal/agencies': { summary: 'Register an agency', success: { status: 201, description: 'The agency' }, body: of(validateAgencyBody, { id: 'de-bka', name: 'Bundeskriminalamt', country: 'DE', function: 'law_enforcement' }), errors: [409] },
  'GET /v1/legal/agencies': { summary: 'Registered agencies', success: { status: 200, description: 'Agencies' } },
  'GET /v1/legal/agencies/:agencyId': { summary: 'One agency', success: { status: 200, description: 'The agency' }, errors: [404] },
  'POST /v1/legal/requests': {
    summary: 'File a legal request (records, preservation or emergency)',
    success: { status: 201, description: 'The request' },
    body: {
      schema: validateIntakeShape.schema as object,
      // The route's whole check (the shape, then dates against now and the PDF), at a fixed now.
      validate: (b) => validateIntakeBody(b, NOW),
      example: {
        type: 'records',
        agencyId: 'de-bka',
        requester: { name: 'KOK Weber', email: 'weber@bka.example.de' },
        legalProcess,
        legalBasis: 'StPO § 100k',
        offenceCategory: 'weapons trafficking',
        statesSuspect: true,
        targets: [{ kind: 'account_id', value: 'acct-1203', role: 'suspect' }],
        dataRequested: ['ip_addresses'],
        period: { from: '2026-10-01T00:00:00Z', to: '2026-10-31T23:59:59Z' },
        nonDisclosureUntil: null,
        dueAt: '2026-12-14T12:00:00Z',
      },
    },
    errors: [404, 409, 413],
  },
  'GET /v1/legal/requests': { summary: 'Legal requests (an agency sees its own)', success: { status: 200, description: 'A page of requests' }, query: validateListShape },
  'GET /v1/legal/requests/:requestId': { summary: 'One legal request', success: { status: 200, description: 'The request' }, errors: [404] },
  'GET /v1/legal/requests/:requestId/documents/:documentId': { summary: 'A legal process document', success: { status: 200, description: 'The PDF', contentType: 'application/pdf' }, errors: [404] },
  'POST /v1/legal/requests/:requestId/start-review': { summary: 'Start reviewing a request', success: { status: 200, description: 'The request' }, body: of(validateNoteBody, { note: 'Taking this one' }), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/request-info': { summary: 'Ask the agency for more information', success: { status: 200, description: 'The request' }, body: of(validateNoteBody, { note: 'The order does not name the account' }), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/info-received': { summary: 'Record the information received', success: { status: 200, description: 'The request' }, body: of(validateInfoReceivedBody, { note: 'Corrected order', amend: { statesSuspect: true } }), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/targets/:index/decision': { summary: 'Produce or withhold one target', success: { status: 200, description: 'The request' }, body: { schema: validateTargetDecisionShape.schema as object, validate: validateTargetDecisionBody, example: { produce: false, reason: 'no_data_held' } }, errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/approve': { summary: 'Approve disclosure', success: { status: 200, description: 'The request' }, body: of(validateNoteBody, { note: 'Order checked' }), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/emergency-disclose': { summary: 'Disclose in an emergency', success: { status: 200, description: 'The request' }, body: of(validateNoteBody, { note: 'Threat to life' }), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/reject': { summary: 'Reject a request', success: { status: 200, description: 'The request' }, body: of(validateRejectBody, { reason: 'overbroad', note: 'Asks for every account in a city' }), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/withdraw': { summary: 'Withdraw a request', success: { status: 200, description: 'The request' }, body: of(validateNoteBody, {}), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/follow-up': { summary: 'Follow an emergency disclosure with legal process', success: { status: 200, description: 'The request' }, body: of(validateFollowUpBody, { legalProcess, note: 'Order after the emergency' }), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/emergency-over': { summary: 'Mark an emergency as over', success: { status: 200, description: 'The request' }, body: of(validateNoteBody, {}), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/preservation/extend': { summary: 'Extend a preservation', success: { status: 200, description: 'The request' }, body: of(validateNoteBody, { note: 'Extension requested by the prosecutor' }), errors: [404, 409] },
  'POST /v1/legal/requests/:requestId/delivered': { summary: 'Record delivery of the package', success: { status: 200, description: 'The request' }, body: of(validateDeliveredBody, { channel: 'agency portal' }), errors: [404, 409] },
  'GET /v1/legal/requests/:requestId/package': { summary: 'The signed disclosure package', success: { status: 200, description: 'The package' }, errors: [404, 409] },
  'GET /v1/legal/notices': { summary: 'User notices due, held or delivered', success: { status: 200, description: 'Notices' }, query: validateNoticeQuery },
  'POST /v1/legal/notices/:noticeId/delivered': { summary: 'Record a notice as delivered', success: { status: 200, description: 'The notice' }, errors: [404, 409] },
  'GET /v1/transparency/legal': { summary: 'Legal request transparency figures (small cells folded)', success: { status: 200, description: 'JSON or CSV' }, query: validateTransparencyQuery },
  'GET /v1/transparency/dsa': { summary: 'Draft DSA Art. 15 transparency report', success: { status: 200, description: 'JSON or CSV' }, query: validateArt15Query },
  'GET /v1/legal/public-key': { summary: 'The key that signs disclosure packages', success: { status: 200, description: 'The public key' } },
  'GET /healthz': { summary: 'Liveness', success: { status: 200, description: 'The process answers' } },
  'GET /readyz': { summary: 'Readiness per dependency', success: { status: 200, description: 'Ready; 503 while a dependency is down' }, errors: [503] },
  'GET /openapi.json': { summary: 'This document', success: { status: 200, description: 'OpenAPI 3.1' } },
  'GET /docs': { summary: 'This document rendered (Swagger UI)', success: { status: 200, description: 'HTML', contentType: 'text/html' } },
};
