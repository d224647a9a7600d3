import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Readable } from 'node:stream';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler, type Response } from 'express';
import { credentialsFrom } from '@takedown/shared';
import type { SearchDeps } from './deps';
import { relay, searchOnce, sendOutcome } from './routes/search';

/**
 * The searches the platform sends all day, exactly as the express routes
 * match them (`GET|POST /{index}/_search|_count`; an index name of plain
 * characters, so there is nothing to decode). Anything else, a different
 * case or a trailing slash included, goes to express.
 */
const HOT_PATH = /^\/([A-Za-z0-9._-]{1,255})\/(_search|_count)$/;

/**
 * Serves an authenticated search outside express: one regular expression
 * instead of the router's walk, and no express request and response
 * objects, whose swapped prototypes make every property read on them slow.
 * The steps are the express route's own (searchOnce, the same body reader,
 * the same error handler), so the answers are the same:
 * - only a token the cache knows for the search role is served here; every
 *   refusal (no token, unknown, wrong role, rate-limited, Redis down) is
 *   left to express before the body is read, and answered there as before
 *   (the second lookup hits the cache: a failure is counted once);
 * - a blocked answer and every error are rendered by express's code, the
 *   request and response upgraded to express's first.
 * Returns the app, callable as the server's request listener, that does this.
 */
export function withFastPath(app: Express, deps: SearchDeps, readBody: RequestHandler, onError: ErrorRequestHandler): Express {
  const header = (req: IncomingMessage) => (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  // What express's own init does to a request it takes on.
  const upgrade = (req: IncomingMessage, res: ServerResponse): { req: Request; res: Response } => {
    const r = req as unknown as Request;
    const s = res as unknown as Response;
    if (Object.getPrototypeOf(req) !== app.request) {
      r.res = s;
      s.req = r;
      Object.setPrototypeOf(req, app.request);
      Object.setPrototypeOf(res, app.response);
      s.locals ??= Object.create(null) as Response['locals'];
    }
    return { req: r, res: s };
  };
  const fail = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    const up = upgrade(req, res);
    onError(err, up.req, up.res, () => undefined);
  };

  const viaExpress = app as unknown as (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

  async function serve(req: IncomingMessage, res: ServerResponse, index: string, endpoint: '_search' | '_count', query: string): Promise<void> {
    const startedAt = performance.now();
    const token = credentialsFrom(header(req)('authorization'));
    const principal = token ? await deps.principals.get(token, req.socket.remoteAddress).catch(() => undefined) : undefined;
    if (principal?.role !== 'search') {
      viaExpress(req, res);
      return;
    }
    res.on('finish', () => deps.metrics.finished(res, endpoint, startedAt));
    readBody(req as unknown as Request, res as unknown as Response, (err?: unknown) => {
      if (err !== undefined) return fail(req, res, err);
      void (async () => {
        const outcome = await searchOnce(deps, endpoint, index, parseQuery(query), header(req), (req as { body?: unknown }).body);
        if (outcome.kind === 'blocked') return sendOutcome(upgrade(req, res).res, outcome);
        res.statusCode = outcome.out.status;
        res.setHeader('X-Elastic-Product', 'Elasticsearch');
        // express's res.set for Content-Type (adds the charset it would), on the plain response.
        (express.response.set as (this: ServerResponse, field: string, value: string) => unknown).call(res, 'Content-Type', outcome.out.contentType ?? 'application/json');
        await relay(outcome.out.body as Readable, res);
      })().catch((e: unknown) => fail(req, res, e));
    });
  }

  const listener = function (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const m = req.method === 'POST' || req.method === 'GET' ? HOT_PATH.exec(q < 0 ? url : url.slice(0, q)) : null;
    if (!m) {
      viaExpress(req, res, next);
      return;
    }
    serve(req, res, m[1]!, m[2] as '_search' | '_count', q < 0 ? '' : url.slice(q + 1)).catch((err: unknown) => fail(req, res, err));
  };
  // Everything else of the app (listen, settings) through its prototype: `listen` serves this listener.
  Object.setPrototypeOf(listener, app);
  return listener as unknown as Express;
}
