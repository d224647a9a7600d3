import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Job, Queue } from 'bullmq';
import { Router, type CookieOptions, type Request, type RequestHandler } from 'express';
import {
  ADMIN_SESSION_TTL_MS,
  AuthenticationError,
  ForbiddenError,
  UnavailableError,
  actorOf,
  caseFromHash,
  caseIdFor,
  credentialsFrom,
  hashToken,
  isCsamCase,
  limitedLookup,
  RateLimitedError,
  type Principal,
  pipelinedSettled,
  type Routed,
} from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { authenticateLimited } from '../http/auth';

export const BOARD_PATH = '/admin/queues';
export const ADMIN_COOKIE = 'takedown_admin';

/** The session id in the board's cookie (a browser tab cannot send headers on navigation), or undefined. */
function sessionCookie(req: Request): string | undefined {
  const cookie = (req.get('cookie') ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${ADMIN_COOKIE}=`));
  if (!cookie) return undefined;
  try {
    return decodeURIComponent(cookie.slice(ADMIN_COOKIE.length + 1));
  } catch {
    // Malformed percent-encoding: no session of ours (ids are base64url), so an unknown one, 401 rather than 500.
    return cookie.slice(ADMIN_COOKIE.length + 1);
  }
}

/**
 * The board cookie's flags: not readable by scripts, never sent cross-site,
 * only to the board's path, and Secure whenever the request came over TLS.
 * `secure` is req.secure: the app does not trust proxies ('trust proxy' is
 * off), so X-Forwarded-Proto alone never sets it.
 */
export function adminCookieOptions(secure: boolean): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/admin', secure, maxAge: ADMIN_SESSION_TTL_MS };
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
  const res = await pipelinedSettled(
    deps.redis,
    caseIds.flatMap((id): Routed[] => (id ? [{ key: deps.cases.keys.case(id), add: (p) => p.hmget(deps.cases.keys.case(id), 'id', 'category', 'lane', 'categoryMove', 'csamSignal', 'ruleHits') }] : [])),
  );
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
  /** An admin principal, or the refusal: unknown (401), rate-limited (429), Redis unfit (503), another role (403). */
  const admitted = async (lookup: () => Promise<Principal | undefined | RateLimitedError>, res: Parameters<RequestHandler>[1], unknown: string): Promise<Principal> => {
    let p: Principal | undefined | RateLimitedError;
    try {
      p = await lookup();
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw new UnavailableError('the token store (Redis) is unavailable', 'redis_unavailable', { cause: err });
      res.set('Retry-After', String(err.retryAfterSeconds ?? 60));
      p = err;
    }
    if (p instanceof RateLimitedError) throw p;
    if (!p) throw new AuthenticationError(unknown, 'invalid_token');
    if (p.role !== 'admin') throw new ForbiddenError('the queue board is for the admin role');
    return p;
  };
  /** The admin behind the bearer token, and the token's hash (what sessions are opened with and listed under). */
  const byToken = async (req: Request, res: Parameters<RequestHandler>[1]): Promise<{ principal: Principal; tokenHash: string } | undefined> => {
    const token = credentialsFrom(req.get('authorization'));
    if (!token) return undefined;
    return { principal: await admitted(() => authenticateLimited(deps, token, req.socket.remoteAddress, res), res, 'unknown or revoked token'), tokenHash: hashToken(token) };
  };
  /**
   * The board's caller: a bearer token, or else the session cookie. A
   * session is looked up through the same failed-lookup limiter, and its
   * token re-checked on every request (revoked, person disabled, role gone:
   * 401; the csam grant read fresh).
   */
  r.use(BOARD_PATH, async (req, res, next) => {
    try {
      let principal = (await byToken(req, res))?.principal;
      if (!principal) {
        const session = sessionCookie(req);
        if (!session) throw new AuthenticationError('sign in to the console as an admin first');
        principal = await admitted(() => limitedLookup(deps.adminSessions, deps.authLimiter, hashToken(session), req.socket.remoteAddress ?? 'unknown'), res, 'the board session ended or its token was revoked; sign in again');
      }
      (principal.grants.csam === true ? full : redacted)(req, res, next);
    } catch (err) {
      next(err);
    }
  });

  /** The bearer token's admin; a cookie does not count here (the console holds the token; the cookie never reaches /v1). */
  const tokenAdmin = async (req: Request, res: Parameters<RequestHandler>[1]) => {
    const found = await byToken(req, res);
    if (!found) throw new AuthenticationError('a bearer token is required');
    return found;
  };

  // The console (signed in as admin) exchanges its token for a board session: the cookie holds a random id, never the token.
  r.post('/v1/session/admin-cookie', async (req, res) => {
    const { principal, tokenHash } = await tokenAdmin(req, res);
    const id = await deps.adminSessions.open(principal, tokenHash);
    res.cookie(ADMIN_COOKIE, id, adminCookieOptions(req.secure));
    res.status(204).end();
  });
  // Signing out: every board session opened with this token ends, and this browser's cookie goes.
  r.delete('/v1/session/admin-cookie', async (req, res) => {
    const { principal, tokenHash } = await tokenAdmin(req, res);
    await deps.adminSessions.closeAllFor(tokenHash, actorOf(principal));
    const { maxAge: _lasting, ...flags } = adminCookieOptions(req.secure);
    res.clearCookie(ADMIN_COOKIE, flags);
    res.status(204).end();
  });
  return r;
}
