import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';
import { AuthenticationError, ForbiddenError, credentialsFrom } from '@takedown/shared';
import type { ApiDeps } from '../deps';

export const BOARD_PATH = '/admin/queues';
export const ADMIN_COOKIE = 'takedown_admin';

/** The admin token from the Authorization header, or from the HttpOnly cookie the console sets (a browser tab cannot send headers on navigation). */
function adminToken(req: Parameters<RequestHandler>[0]): string | undefined {
  const header = credentialsFrom(req.get('authorization'));
  if (header) return header;
  const cookie = (req.get('cookie') ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${ADMIN_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(ADMIN_COOKIE.length + 1)) : undefined;
}

/** bull-board at /admin/queues, for the admin role only: every BullMQ queue, failed jobs included. */
export function queueBoard(deps: ApiDeps): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  const r = Router();
  const adminOnly: RequestHandler = async (req, _res, next) => {
    const token = adminToken(req);
    if (!token) return next(new AuthenticationError('sign in to the console as an admin first'));
    const p = await deps.tokens.authenticate(token);
    if (!p) return next(new AuthenticationError('unknown or revoked token', 'invalid_token'));
    if (p.role !== 'admin') return next(new ForbiddenError('the queue board is for the admin role'));
    next();
  };
  r.use(BOARD_PATH, adminOnly, serverAdapter.getRouter() as Router);

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
