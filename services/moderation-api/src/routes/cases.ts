import { Router } from 'express';
import type { estypes } from '@elastic/elasticsearch';
import { ForbiddenError, NotFoundError, isCsamCase, type AuditEvent, type CaseRecord, type Principal, type ReportJob } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { validateCaseListQuery } from '../http/schemas';

const CASE_ID = /^c_[a-f0-9]{24}$/;

/**
 * Abuse material is shown only to principals cleared for it, whatever their
 * role (isCsamCase: category, lane, a pending move, a csam report or hit).
 * `reports`, when the caller has them, also counts csam report reasons on
 * cases recorded before triage kept that signal on the case.
 */
export function assertMaySee(p: Principal, c: Parameters<typeof isCsamCase>[0] & Pick<CaseRecord, 'id'>, reports?: readonly Pick<ReportJob, 'reason'>[]): void {
  if (p.grants.csam) return;
  if (isCsamCase(c) || (c.csamSignal === undefined && reports?.some((r) => r.reason === 'csam'))) {
    throw new ForbiddenError(`case ${c.id} is restricted to the csam grant; this token is not cleared for it`, 'csam_not_allowed');
  }
}

/** What GET /v1/cases never lists to a caller without the grant (category and lane: rows mirrored before the csam flag). */
export const CSAM_LISTING_EXCLUSION: estypes.QueryDslQueryContainer[] = [{ term: { csam: true } }, { term: { category: 'csam' } }, { term: { lane: 'csam' } }, { exists: { field: 'categoryMove.id' } }];

export async function requireCase(deps: ApiDeps, caseId: string): Promise<CaseRecord> {
  if (!CASE_ID.test(caseId)) throw new NotFoundError(`case ${caseId} not found`, 'not_found', 'caseId');
  return deps.cases.require(caseId);
}

/** GET /v1/cases (listing from the cases index) and GET /v1/cases/:caseId (everything, from Redis). */
export function caseRoutes(deps: ApiDeps): Router {
  const r = Router();

  r.get('/v1/cases', guard(deps, 'GET /v1/cases'), async (req, res) => {
    const q = validateCaseListQuery({ ...req.query });
    const p = principalOf(req);
    const filter: estypes.QueryDslQueryContainer[] = [];
    if (q.queue) filter.push({ term: { lane: q.queue } });
    if (q.status) filter.push({ term: { status: q.status } });
    if (q.category) filter.push({ term: { category: q.category } });
    if (q.authorId) filter.push({ term: { authorId: q.authorId } });
    if (q.ruleId) filter.push({ term: { ruleIds: q.ruleId } });
    if (q.pendingMove === 'true') filter.push({ exists: { field: 'categoryMove.id' } });
    const mustNot = p.grants.csam ? [] : CSAM_LISTING_EXCLUSION;
    const sort: estypes.Sort =
      q.sort === 'age' ? [{ firstReportedAt: 'asc' }, { id: 'asc' }] : [{ priority: 'desc' }, { firstReportedAt: 'asc' }, { id: 'asc' }];
    const result = await deps.es.search({
      index: deps.indices.cases,
      query: { bool: { filter, must_not: mustNot } },
      sort,
      size: q.size,
      from: q.from,
      track_total_hits: true,
    });
    const total = typeof result.hits.total === 'number' ? result.hits.total : (result.hits.total?.value ?? 0);
    res.json({ total, cases: result.hits.hits.map((h) => h._source) });
  });

  r.get('/v1/cases/:caseId', guard(deps, 'GET /v1/cases/:caseId'), async (req, res) => {
    const c = await requireCase(deps, String(req.params['caseId']));
    const p = principalOf(req);
    assertMaySee(p, c);
    const reports = await deps.cases.reports(c.id);
    assertMaySee(p, c, reports);
    const [decisions, appeals, audit] = await Promise.all([deps.cases.decisions(c.id), deps.cases.appeals(c.id), auditTrail(deps, c.id)]);
    res.json({ case: c, reports, decisions, appeals, audit });
  });

  return r;
}

/** The case's audit events as stored so far (the writer lags by well under a second). */
async function auditTrail(deps: ApiDeps, caseId: string): Promise<AuditEvent[]> {
  const res = await deps.es.search<AuditEvent>({
    index: deps.indices.audit,
    query: { term: { caseId } },
    sort: [{ seq: 'asc' }],
    size: 500,
  });
  return res.hits.hits.map((h) => h._source as AuditEvent);
}
