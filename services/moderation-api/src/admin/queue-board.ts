import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Job, Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import { AuthenticationError, ForbiddenError, caseFromHash, caseIdFor, credentialsFrom, isCsamCase, RateLimitedError } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { authenticateLimited } from '../http/auth';

export const BOARD_PATH = '/admin/queues';
export const ADMIN_COOKIE = 'takedown_admin';

/** The admin token from the Authorization header, or from the HttpOnly cookie the console sets (a browser tab cannot send headers on navigation). */
function adminToken(req: Parameters<RequestHandler>[0]): string | undefined {
  const header = credentialsFrom(req.get('authorization'));
  if (header) return header;
  const cookie = (req.get('cookie') ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${ADMIN_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(ADMIN_COOKIE.length + 1)) : undefined;
}

export const JOB_REDACTION_NOTICE = 'csam-related job: its data is shown only to tokens holding the csam grant.';

/**
 * Which of these jobs concern csam: a report with reason csam, an action
 * with category csam, or either about a case restricted as csam. A job whose
 * case cannot be told counts as csam (the safe way to be wrong).
 */
async function csamJobs(deps: ApiDeps, queue: string, jobs: Job[]): Promise<boolean[]> {
  const caseIds = jobs.map((j): string | undefined => {
    const d = (j.data ?? {}) as { content?: { id?: unknown }; caseId?: unknown };
    if (queue === 'reports') return typeof d.content?.id === 'string' ? caseIdFor(d.content.id) : '';
    if (queue === 'actions') return typeof d.caseId === 'string' ? d.caseId : '';
    return undefined; // backfill: rule ids and versions, no content
  });
  const pipe = deps.redis.pipeline();
  for (const id of caseIds) if (id) pipe.hmget(deps.cases.keys.case(id), 'id', 'category', 'lane', 'categoryMove', 'csamSignal', 'ruleHits');
  const res = (await pipe.exec()) ?? [];
  let at = 0;
  return jobs.map((j, i) => {
    const id = caseIds[i];
    if (id === undefined) return false;
    if (id === '') return true;
    const [err, row] = res[at++] ?? [];
    if (err) throw err;
    const [cid, category, lane, categoryMove, csamSignal, ruleHits] = (row ?? []) as (string | null)[];
    const d = (j.data ?? {}) as { reason?: unknown; category?: unknown };
    if (d.reason === 'csam' || d.category === 'csam') return true;
    const c = cid ? caseFromHash({ id: cid, category: category ?? '', lane: lane ?? '', categoryMove: categoryMove ?? '', csamSignal: csamSignal ?? '', ruleHits: ruleHits || '[]' }) : undefined;
    return c !== undefined && isCsamCase(c);
  });
}

/** A job as the board shows it to an admin without the grant: ids and a notice instead of data and result. */
function redactJob(queue: string, job: Job): Job {
  const d = (job.data ?? {}) as { reportId?: unknown; content?: { id?: unknown }; decisionId?: unknown; caseId?: unknown; contentId?: unknown };
  const ids =
    queue === 'reports'
      ? { reportId: d.reportId, contentId: d.content?.id, caseId: typeof d.content?.id === 'string' ? caseIdFor(d.content.id) : undefined }
      : { decisionId: d.decisionId, caseId: d.caseId, contentId: d.contentId };
  const data = { redacted: 'csam_grant_required', notice: JOB_REDACTION_NOTICE, ...ids };
  const shown = Object.create(job) as Job & { toJSON(): Record<string, unknown> };
  shown.toJSON = () => ({ ...job.toJSON(), data, returnvalue: null });
  return shown;
}

/** The board's view of a queue for admins without the csam grant: csam-related jobs redacted. */
class RedactingAdapter extends BullMQAdapter {
  constructor(
    private readonly deps: ApiDeps,
    private readonly queueName: string,
    queue: Queue,
  ) {
    super(queue, { readOnlyMode: true });
  }

  private async redact(jobs: Job[]): Promise<Job[]> {
    const csam = await csamJobs(this.deps, this.queueName, jobs);
    return jobs.map((j, i) => (csam[i] ? redactJob(this.queueName, j) : j));
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    return this.redact(await super.getJobs(...args));
  }

  override async getJob(id: string): Promise<Job | undefined> {
    const job = await super.getJob(id);
    return job ? (await this.redact([job]))[0] : job;
  }

  override async getJobLogs(id: string): Promise<string[]> {
    const job = await super.getJob(id);
    if (job && (await csamJobs(this.deps, this.queueName, [job]))[0]) return [JOB_REDACTION_NOTICE];
    return super.getJobLogs(id);
  }
}

/** One bull-board (its own router) over every queue, through these adapters. */
function board(adapters: BullMQAdapter[]): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({ queues: adapters, serverAdapter });
  return serverAdapter.getRouter() as Router;
}

/**
 * bull-board at /admin/queues, for the admin role only: every BullMQ queue,
 * failed jobs included, read-only (no retries, removals or edits through a
 * cookie-authenticated page). Two boards share the path: an admin holding
 * the csam grant sees every job's data; one without it sees csam-related
 * jobs as ids and a notice.
 */
export function queueBoard(deps: ApiDeps): Router {
  const full = board(deps.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })));
  const redacted = board(deps.queues.map((q) => new RedactingAdapter(deps, q.name, q)));
  const r = Router();
  const adminOnly: RequestHandler = async (req, res, next) => {
    const token = adminToken(req);
    if (!token) return next(new AuthenticationError('sign in to the console as an admin first'));
    const p = await authenticateLimited(deps, token, req.socket.remoteAddress, res);
    if (p instanceof RateLimitedError) return next(p);
    if (!p) return next(new AuthenticationError('unknown or revoked token', 'invalid_token'));
    if (p.role !== 'admin') return next(new ForbiddenError('the queue board is for the admin role'));
    res.locals['csam'] = p.grants.csam === true;
    next();
  };
  r.use(BOARD_PATH, adminOnly, (req, res, next) => (res.locals['csam'] === true ? full : redacted)(req, res, next));

  // The console (signed in as admin) exchanges its token for the board's cookie.
  r.post('/v1/session/admin-cookie', adminOnly, (req, res) => {
    res.cookie(ADMIN_COOKIE, adminToken(req) ?? '', { httpOnly: true, sameSite: 'strict', path: '/admin', maxAge: 8 * 3600 * 1000 });
    res.status(204).end();
  });
  r.delete('/v1/session/admin-cookie', adminOnly, (_req, res) => {
    res.clearCookie(ADMIN_COOKIE, { path: '/admin' });
    res.status(204).end();
  });
  return r;
}
