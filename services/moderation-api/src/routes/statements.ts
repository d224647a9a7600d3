import { Router } from 'express';
import {
  ForbiddenError,
  NotFoundError,
  ConflictError,
  MAX_STATEMENT_PAGE,
  STATEMENT_CURSOR_PATTERN,
  STATEMENT_STATUSES,
  REBUILDABLE,
  StatementSubmissions,
  ValidationError,
  composeStatement,
  actorOf,
  appendAudit,
  compileValidator,
  readSubmissionStats,
  submissionKeys,
  type Principal,
  type StatementStatus,
  type StoredStatement,
} from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';

/** The puid pattern the Transparency Database accepts (letters, digits, - and _), so anything else is a 404 without a lookup. */
const PUID = /^[A-Za-z0-9_-]{1,500}$/;

export const validateListQuery = compileValidator<{ status: StatementStatus; size?: string; after?: string }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['status'],
    properties: {
      status: { type: 'string', enum: [...STATEMENT_STATUSES] },
      size: { type: 'string', pattern: '^[0-9]{1,3}$' },
      after: { type: 'string', pattern: STATEMENT_CURSOR_PATTERN },
    },
  },
  'query',
);

export const validateRequeue = compileValidator<{ note?: string }>(
  { type: 'object', additionalProperties: false, properties: { note: { type: 'string', minLength: 1, maxLength: 500 } } },
  'requeue',
);
export const validateRebuild = compileValidator<{ note?: string }>(
  { type: 'object', additionalProperties: false, properties: { note: { type: 'string', minLength: 1, maxLength: 500 } } },
  'rebuild',
);

/** csam statements are for callers holding the csam grant, as csam cases are. */
const exclusionFor = (p: Principal) => (p.grants.csam ? [] : ['csam']);

/** What the console shows of a statement: the body sent and its submission state. */
function view(s: StoredStatement) {
  return {
    puid: s.puid,
    decisionId: s.decisionId,
    caseId: s.caseId,
    status: s.status,
    createdAt: s.createdAt,
    decidedAt: s.decidedAt,
    category: s.category,
    takedownCategory: s.takedownCategory,
    problems: s.problems ?? [],
    attempts: s.attempts ?? 0,
    nextAttemptAt: s.nextAttemptAt ?? null,
    lastError: s.lastError ?? null,
    submittedAt: s.submittedAt ?? null,
    duplicate: s.duplicate ?? false,
    tdbUuid: s.tdbUuid ?? null,
    statement: s.statement,
  };
}

/** The stored statement a caller may act on: 404 for an unknown (or malformed) puid, 403 for a csam one without the grant. */
async function statementFor(statements: StatementSubmissions, puid: string, p: Principal) {
  const found = PUID.test(puid) ? await statements.get(puid) : undefined;
  if (!found) throw new NotFoundError(`statement ${puid} not found`, 'not_found', 'puid');
  if (found.doc.takedownCategory === 'csam' && !p.grants.csam) throw new ForbiddenError(`statement ${puid} is restricted to the csam grant; this token is not cleared for it`, 'csam_not_allowed');
  return found;
}

/**
 * Statements of reasons and their submission to the Transparency Database:
 * counts by status, pages of one status (failed, rejected, invalid… with
 * their problems), and the requeue of a failed or rejected one.
 */
export function statementRoutes(deps: ApiDeps): Router {
  const r = Router();
  const statements = new StatementSubmissions(deps.es, deps.indices.statements);
  const stats = submissionKeys(deps.cases.keys);

  r.get('/v1/statements/summary', guard(deps, 'GET /v1/statements/summary'), async (req, res) => {
    const p = principalOf(req);
    const [counts, submitter] = await Promise.all([statements.counts({ exclude: exclusionFor(p) }), readSubmissionStats(deps.redis, stats.stats)]);
    const oldestPendingAgeSeconds = counts.oldestPendingAt ? Math.max(0, Math.round((Date.now() - Date.parse(counts.oldestPendingAt)) / 1000)) : null;
    const counter = (name: string) => (submitter[name] ?? 0) + (p.grants.csam ? (submitter[`csam:${name}`] ?? 0) : 0);
    res.json({
      byStatus: counts.byStatus,
      oldestPendingAt: counts.oldestPendingAt ?? null,
      oldestPendingAgeSeconds,
      submitter: { submitted: counter('submitted'), duplicates: counter('duplicates'), rejected: counter('rejected'), failed: counter('failed'), retries: counter('retries'), calls: submitter['calls'] ?? 0, authFailures: submitter['auth_failures'] ?? 0 },
    });
  });

  r.get('/v1/statements', guard(deps, 'GET /v1/statements'), async (req, res) => {
    const q = validateListQuery({ ...req.query });
    const size = q.size === undefined ? 50 : Number(q.size);
    if (size < 1 || size > MAX_STATEMENT_PAGE) throw new ValidationError(`query: /size must be 1 to ${MAX_STATEMENT_PAGE}`, '/size');
    const page = await statements.list(q.status, { size, exclude: exclusionFor(principalOf(req)), ...(q.after ? { after: q.after } : {}) });
    res.json({ status: q.status, statements: page.items.map(view), next: page.next ?? null });
  });

  // A failed statement (transport gave up) or a rejected one (fixed since, or refused by mistake) goes back to pending, attempts reset.
  r.post('/v1/statements/:puid/requeue', guard(deps, 'POST /v1/statements/:puid/requeue'), async (req, res) => {
    const body = validateRequeue(req.body ?? {});
    const puid = String(req.params['puid']);
    const p = principalOf(req);
    const found = await statementFor(statements, puid, p);
    const r2 = await statements.requeue(puid);
    if (r2.outcome === 'missing') throw new NotFoundError(`statement ${puid} not found`, 'not_found', 'puid');
    if (r2.outcome === 'not-requeueable') throw new ConflictError(`statement ${puid} is ${r2.from}: only failed or rejected statements are requeued`, 'not_requeueable', 'status');
    if (r2.outcome === 'conflict') throw new ConflictError(`statement ${puid} changed meanwhile; read it again`, 'conflict', 'puid');
    await appendAudit(deps.redis, deps.cases.keys, { type: 'statement.requeued', actor: actorOf(p), at: new Date().toISOString(), caseId: found.doc.caseId, contentId: found.doc.contentId, data: { puid, from: r2.from, attempts: found.doc.attempts ?? 0, ...(body.note ? { note: body.note } : {}) } });
    res.json({ puid, status: 'pending', from: r2.from });
  });

  /*
   * An invalid statement (the post's date was unknown, say, because the
   * platform had not indexed it yet) or a rejected one is composed again
   * from the sources of truth as they are now, and checked again: pending
   * when it passes, invalid with its new problems when not.
   */
  r.post('/v1/statements/:puid/rebuild', guard(deps, 'POST /v1/statements/:puid/rebuild'), async (req, res) => {
    const body = validateRebuild(req.body ?? {});
    const puid = String(req.params['puid']);
    const p = principalOf(req);
    const found = await statementFor(statements, puid, p);
    const from = found.doc.status;
    if (!REBUILDABLE.includes(from)) throw new ConflictError(`statement ${puid} is ${from}: only ${REBUILDABLE.join(' or ')} statements are rebuilt`, 'not_rebuildable', 'status');
    const [c, decision] = await Promise.all([deps.cases.get(found.doc.caseId), deps.cases.decision(found.doc.caseId, found.doc.decisionId)]);
    if (!c || !decision) throw new ConflictError(`statement ${puid}: its case or decision is no longer in the case store`, 'decision_missing', 'puid');
    const composed = await composeStatement({ cases: deps.cases, es: deps.es, contentIndex: deps.config.contentIndex }, c, decision, new Date());
    if (!composed.owed) throw new ConflictError(`statement ${puid}: the decision owes no statement now (${composed.reason})`, 'not_owed', 'puid');
    const outcome = await statements.replace(found, composed.doc);
    if (outcome === 'not-rebuildable') throw new ConflictError(`statement ${puid} is ${from}: only ${REBUILDABLE.join(' or ')} statements are rebuilt`, 'not_rebuildable', 'status');
    if (outcome === 'conflict') throw new ConflictError(`statement ${puid} changed meanwhile; read it again`, 'conflict', 'puid');
    const to = composed.doc.status;
    const problems = composed.doc.problems ?? [];
    await appendAudit(deps.redis, deps.cases.keys, {
      type: 'statement.rebuilt',
      actor: actorOf(p),
      at: new Date().toISOString(),
      caseId: found.doc.caseId,
      contentId: found.doc.contentId,
      // Field names and codes only: a problem's message may quote what the statement said.
      data: { puid, from, to, problems: problems.map((x) => `${x.field}:${x.code}`), ...(body.note ? { note: body.note } : {}) },
    });
    res.json({ puid, from, status: to, problems });
  });

  return r;
}
