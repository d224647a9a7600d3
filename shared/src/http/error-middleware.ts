import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { isTakedownError, NotFoundError, UnavailableError, ValidationError } from '../errors/takedown-error';
import { unreadableBody } from './body-error';

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
    if (res.headersSent) return;
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
  if ((err as { type?: unknown } | null)?.type === 'entity.parse.failed') {
    return mapError(new ValidationError('request body is not valid JSON', '', 'invalid_json'));
  }
  const body = unreadableBody(err);
  if (body?.tooLarge) return { status: 413, body: { error: { code: 'payload_too_large', message: 'request body is too large' } } };
  // Other unreadable bodies (a charset or Content-Encoding the body does not match): the client's fault, a 4xx.
  if (body) return { status: body.status, body: { error: { code: 'unreadable_body', message: `request body could not be read (${body.what})` } } };
  return { status: 500, body: { error: { code: 'internal', message: 'internal error' } } };
}

/** Terminal handler for unknown routes, so they answer in the same JSON shape. */
export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('no such endpoint'));
};
