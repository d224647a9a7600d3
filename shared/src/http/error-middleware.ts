import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { isTakedownError, NotFoundError, RateLimitedError, UnavailableError } from '../errors/takedown-error';
import { clientHttpError, unreadableBody } from './body-error';
import { safeEsError } from './es-upstream-error';

/** What a 503 tells the client to wait before retrying: a dependency outage is not over in a second. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: unknown };
}

/**
 * Maps the error tree to JSON. TakedownErrors keep their code, message and
 * field; anything else is logged and answered as a bare 500 that reveals
 * nothing about the cause.
 */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const mapped = mapError(err);
    if (mapped.status >= 500) {
      logger.error({ err, method: req.method, path: req.path }, 'request failed');
    } else {
      logger.debug({ code: mapped.body.error.code, method: req.method, path: req.path }, 'request refused');
    }
    if (res.headersSent) {
      // Too late for an error answer: cut the connection so the client sees a failed response, never a truncated success.
      res.destroy();
      return;
    }
    if (mapped.status === 503) res.set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    if (err instanceof RateLimitedError) res.set('Retry-After', String(err.retryAfterSeconds ?? 60));
    res.status(mapped.status).json(mapped.body);
  };
}

export function mapError(err: unknown): { status: number; body: ErrorBody } {
  if (isTakedownError(err)) {
    // 503s say which dependency is unfit (clients act on it); other 5xx hide everything.
    if (err.status >= 500 && !(err instanceof UnavailableError)) {
      return { status: err.status, body: { error: { code: 'internal', message: 'internal error' } } };
    }
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.field !== undefined) body.error.field = err.field;
    if (err.details !== undefined) body.error.details = err.details;
    return { status: err.status, body };
  }
  // A body-parser not wrapped in bodyReader (bull-board's own): the same classification.
  const body = unreadableBody(err);
  if (body) return { status: body.status, body: { error: { code: body.code, message: body.message, field: body.field } } };
  // Elasticsearch refusing what a request asked for (a result window, a field): a 400 in our words, never its text.
  const es = elasticsearchStatus(err);
  if (es === 400) {
    const safe = safeEsError((err as { meta: { body?: { error?: unknown } } }).meta.body?.error);
    return { status: 400, body: { error: { code: safe.code ?? 'search_refused', message: safe.reason, field: safe.field ?? '' } } };
  }
  if (es === 429) return { status: 429, body: { error: { code: 'upstream_busy', message: 'Elasticsearch is busy; retry later' } } };
  // Timed out (a bounded request-path client), unreachable, or a gateway/node saying so: the caller retries later.
  if (elasticsearchUnreachable(err) || es === 502 || es === 503 || es === 504) {
    return { status: 503, body: { error: { code: 'elasticsearch_unavailable', message: 'Elasticsearch is unavailable; retry later' } } };
  }
  const client = clientHttpError(err);
  if (client) return { status: client.status, body: { error: { code: 'bad_request', message: 'the request could not be read', field: '' } } };
  if (redisUnavailable(err)) return { status: 503, body: { error: { code: 'redis_unavailable', message: 'Redis is unavailable; retry later' } } };
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

/**
 * A request-path Redis command that failed for want of Redis, not for what
 * it asked: ioredis' `commandTimeout` ("Command timed out"), retries used up
 * while reconnecting, or the connection closed under it. Every route that
 * reaches Redis (claim, decide, case reads...) answers these 503 with
 * Retry-After, as intake and auth do, never 500: fault scenario R1, on a box
 * at load 16, had claims and decisions answer 500 when the case store's
 * command took longer than the 500 ms bound.
 */
function redisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.message === 'Command timed out' || err.name === 'MaxRetriesPerRequestError' || err.message === 'Connection is closed.';
}

/** The status of an Elasticsearch client ResponseError (it carries `meta.statusCode` and a `body`), else undefined. */
function elasticsearchStatus(err: unknown): number | undefined {
  const e = err as { name?: unknown; meta?: { statusCode?: unknown } } | null;
  return e !== null && typeof e === 'object' && e.name === 'ResponseError' && typeof e.meta?.statusCode === 'number' ? e.meta.statusCode : undefined;
}

/** The Elasticsearch client's own failures to get an answer (they carry `meta`; an AbortSignal's TimeoutError does not). */
const ES_UNREACHABLE = new Set(['TimeoutError', 'ConnectionError', 'NoLivingConnectionsError']);
function elasticsearchUnreachable(err: unknown): boolean {
  const e = err as { name?: unknown; meta?: unknown } | null;
  return e !== null && typeof e === 'object' && typeof e.name === 'string' && ES_UNREACHABLE.has(e.name) && typeof e.meta === 'object' && e.meta !== null;
}

/** Terminal handler for unknown routes, so they answer in the same JSON shape. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('no such endpoint'));
};
