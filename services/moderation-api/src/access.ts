import type { Role } from '@takedown/shared';

/**
 * Who may call what: every endpoint names the roles it admits, nothing is
 * implied. The role-matrix test walks this table, endpoint × role.
 * `public` endpoints carry no personal data (liveness, readiness, the transparency report).
 */
export const ACCESS = {
  'GET /v1/me': ['reporter', 'moderator', 'lead', 'legal', 'admin', 'search', 'ingest', 'agency', 'service', 'metrics'],
  'GET /v1/queues': ['moderator', 'lead', 'admin'],
  'POST /v1/review/:caseId/reveal': ['moderator'],
  'GET /v1/cases/:caseId/media/:index': ['moderator', 'lead', 'admin'],
  'GET /v1/stats': ['lead', 'admin'],
  'GET /v1/stats/series': ['lead', 'admin'],
  'POST /v1/reports': ['reporter'],
  // Shown to the filing token only (another gets 404).
  'GET /v1/reports/:reportId': ['reporter'],
  'POST /v1/appeals': ['reporter'],
  // PDQ of an image, computed and forgotten: the indexer (hashing media before it writes), platform services, and
  // leads (hashing an image for an internal list). Reporters and detectors send hashes they computed themselves.
  'POST /v1/media/pdq': ['ingest', 'service', 'lead'],
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
  'GET /v1/rules/draft-page': ['lead', 'admin'],
  'GET /v1/rules/draft-emoji': ['lead', 'admin'],
  'PUT /v1/rules/draft-emoji': ['lead'],
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
  // Feature switches: leads, legal and admins edit and publish; platform services (and the search service) evaluate.
  'GET /v1/features': ['lead', 'legal', 'admin'],
  'GET /v1/features/draft': ['lead', 'legal', 'admin'],
  'PUT /v1/features/draft/:featureKey': ['lead', 'legal', 'admin'],
  'DELETE /v1/features/draft/:featureKey': ['lead', 'legal', 'admin'],
  'GET /v1/features/preview': ['lead', 'legal', 'admin'],
  'GET /v1/features/states': ['lead', 'legal', 'admin'],
  'POST /v1/features/publish': ['lead', 'legal', 'admin'],
  'POST /v1/features/rollback': ['lead', 'legal', 'admin'],
  'GET /v1/features/versions': ['lead', 'legal', 'admin'],
  'GET /v1/features/versions/:version': ['lead', 'legal', 'admin'],
  'GET /v1/features/evaluate': ['search', 'service'],
  // The platform's upload path (a service) or its indexer asks before accepting media.
  'POST /v1/uploads/check': ['ingest', 'service'],
  'GET /metrics': ['metrics', 'admin', 'lead'],
  // Statements of reasons and their submission to the EU Transparency Database: leads and admins watch; a lead requeues.
  'GET /v1/statements/summary': ['lead', 'admin'],
  'GET /v1/statements': ['lead', 'admin'],
  'POST /v1/statements/:puid/requeue': ['lead'],
  'POST /v1/statements/:puid/rebuild': ['lead'],
  'POST /v1/session/admin-cookie': ['admin'],
  'DELETE /v1/session/admin-cookie': ['admin'],
  'GET /admin/queues': ['admin'],
  // The legal desk: legal officers, and agencies for their own agency's requests only (another agency's is a 404).
  'POST /v1/legal/agencies': ['admin'],
  'GET /v1/legal/agencies': ['admin', 'legal'],
  'GET /v1/legal/agencies/:agencyId': ['admin', 'legal'],
  'POST /v1/legal/requests': ['legal', 'agency'],
  'GET /v1/legal/requests': ['legal', 'agency'],
  'GET /v1/legal/requests/:requestId': ['legal', 'agency'],
  'GET /v1/legal/requests/:requestId/documents/:documentId': ['legal', 'agency'],
  'POST /v1/legal/requests/:requestId/start-review': ['legal'],
  'POST /v1/legal/requests/:requestId/request-info': ['legal'],
  'POST /v1/legal/requests/:requestId/info-received': ['legal', 'agency'],
  'POST /v1/legal/requests/:requestId/targets/:index/decision': ['legal'],
  'POST /v1/legal/requests/:requestId/approve': ['legal'],
  'POST /v1/legal/requests/:requestId/emergency-disclose': ['legal'],
  'POST /v1/legal/requests/:requestId/reject': ['legal'],
  'POST /v1/legal/requests/:requestId/withdraw': ['legal', 'agency'],
  'POST /v1/legal/requests/:requestId/follow-up': ['legal', 'agency'],
  'POST /v1/legal/requests/:requestId/emergency-over': ['legal'],
  'POST /v1/legal/requests/:requestId/preservation/extend': ['legal', 'agency'],
  'POST /v1/legal/requests/:requestId/delivered': ['legal'],
  'GET /v1/legal/requests/:requestId/package': ['legal', 'agency'],
  // The platform's notifier collects due notices with a legal-role service person's token.
  'GET /v1/legal/notices': ['legal'],
  'POST /v1/legal/notices/:noticeId/delivered': ['legal'],
  // Aggregate figures only, small cells folded: published.
  'GET /v1/transparency/legal': 'public',
  // The draft of a published report (no personal data), not yet published: the people who prepare it.
  'GET /v1/transparency/dsa': ['lead', 'legal', 'admin'],
  'GET /v1/legal/public-key': 'public',
  'GET /healthz': 'public',
  // The API contract and its rendering: built from the schemas at boot, no data of anyone.
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  // Up/down per dependency only: an orchestrator's readiness probe. Public, but 503 while a dependency is down.
  'GET /readyz': 'public',
} as const satisfies Record<string, readonly Role[] | 'public'>;

export type Endpoint = keyof typeof ACCESS;
