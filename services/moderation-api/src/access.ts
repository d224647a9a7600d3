import type { Role } from '@takedown/shared';

/**
 * Who may call what: every endpoint names the roles it admits, nothing is
 * implied. The role-matrix test walks this table, endpoint × role.
 * `public` endpoints carry no data (liveness only).
 */
export const ACCESS = {
  'GET /v1/me': ['reporter', 'moderator', 'lead', 'legal', 'admin', 'search', 'ingest'],
  'GET /v1/queues': ['moderator', 'lead', 'admin'],
  'POST /v1/review/:caseId/reveal': ['moderator'],
  'GET /v1/cases/:caseId/media/:index': ['moderator', 'lead', 'admin'],
  'GET /v1/stats': ['lead', 'admin'],
  'POST /v1/reports': ['reporter'],
  'POST /v1/appeals': ['reporter'],
  'GET /v1/cases': ['moderator', 'lead', 'admin'],
  'GET /v1/cases/:caseId': ['moderator', 'lead', 'admin'],
  'POST /v1/review/claim': ['moderator'],
  'POST /v1/review/:caseId/heartbeat': ['moderator'],
  'POST /v1/review/:caseId/release': ['moderator'],
  'POST /v1/review/:caseId/decision': ['moderator'],
  // Asking is open to whoever may see the case (restricting is the safe way); confirming takes the csam grant and another person.
  'POST /v1/cases/:caseId/category-move': ['moderator', 'lead'],
  'POST /v1/cases/:caseId/category-move/confirm': ['moderator', 'lead'],
  'GET /v1/audit/verify': ['admin', 'legal'],
  'GET /v1/people': ['admin'],
  'POST /v1/people': ['admin'],
  'GET /v1/people/:actorId': ['admin'],
  'PATCH /v1/people/:actorId': ['admin'],
  'DELETE /v1/people/:actorId': ['admin'],
  'POST /v1/people/:actorId/tokens': ['admin'],
  'POST /v1/people/:actorId/csam-grant': ['admin'],
  'GET /v1/tokens': ['admin'],
  'POST /v1/tokens': ['admin'],
  'DELETE /v1/tokens/:idOrName': ['admin'],
  'GET /v1/rules/draft': ['lead', 'admin'],
  'PUT /v1/rules/draft/:ruleId': ['lead'],
  'DELETE /v1/rules/draft/:ruleId': ['lead'],
  'POST /v1/rules/draft/import': ['lead'],
  'GET /v1/rules/draft/export': ['lead', 'admin'],
  'GET /v1/rules/preview': ['lead', 'admin'],
  'POST /v1/rules/publish': ['lead'],
  'POST /v1/rules/rollback': ['lead'],
  'GET /v1/rules/versions': ['lead', 'admin'],
  'GET /v1/rules/versions/:version': ['lead', 'admin'],
  'GET /v1/rules/shadow': ['lead', 'admin'],
  'GET /v1/rules/backfill': ['lead', 'admin'],
  'POST /v1/rules/backfill': ['lead', 'admin'],
  'GET /readyz': ['admin', 'lead'],
  'GET /metrics': ['admin', 'lead'],
  'POST /v1/session/admin-cookie': ['admin'],
  'DELETE /v1/session/admin-cookie': ['admin'],
  'GET /admin/queues': ['admin'],
  'GET /healthz': 'public',
} as const satisfies Record<string, readonly Role[] | 'public'>;

export type Endpoint = keyof typeof ACCESS;
