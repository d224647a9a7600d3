import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../logging/logger';
import { TakedownError, UnavailableError, isTakedownError } from '../errors/takedown-error';
import { unreadableBody } from './body-error';

/**
 * Errors in Elasticsearch's own shape, so a platform's Elasticsearch client
 * raises its usual ResponseError with a readable type and reason.
 */
export function sendEsError(res: Response, status: number, type: string, reason: string, extra: Record<string, unknown> = {}): void {
  res
    .status(status)
    .set('X-Elastic-Product', 'Elasticsearch')
    .json({ error: { root_cause: [{ type, reason }], type, reason, ...extra }, status });
}

/**
 * A refusal an Elasticsearch-compatible endpoint makes on purpose (bad
 * index, endpoint, parameter or body), answered in Elasticsearch's shape.
 * `code` is the reason counted in metrics; `type` the error type clients see.
 */
export class EsRefusal extends TakedownError {
  constructor(
    status: number,
    readonly type: string,
    message: string,
    reason: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(reason, message, status);
  }
}

/**
 * The last handler of an Elasticsearch-compatible service: refusals and 4xx
 * in Elasticsearch's error shape, 503 when a dependency is unfit (never a
 * silent pass-through), and a bare 500 that reveals nothing.
 */
export function esErrorHandler(o: { logger: Logger; onRefused?: (reason: string) => void }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof EsRefusal) {
      o.onRefused?.(err.code);
      return sendEsError(res, err.status, err.type, err.message, err.extra);
    }
    if (err instanceof UnavailableError) {
      o.onRefused?.(err.code);
      return sendEsError(res, 503, 'takedown_unavailable_exception', `refused, never served unfiltered: ${err.message}`, { takedown: { code: err.code } });
    }
    // body-parser: too large, bad charset or encoding, aborted uploads: the client's fault, said plainly.
    const body = isTakedownError(err) ? undefined : unreadableBody(err);
    if (body?.tooLarge) return sendEsError(res, 413, 'content_too_long_exception', 'request body is too large');
    if (body) {
      o.onRefused?.('bad_body');
      return sendEsError(res, body.status, 'parse_exception', `request body could not be read (${body.what})`);
    }
    if (isTakedownError(err) && err.status < 500) return sendEsError(res, err.status, err.code, err.message);
    o.logger.error({ err, method: req.method, path: req.path }, 'request failed');
    sendEsError(res, 500, 'takedown_internal_exception', 'internal error');
  };
}

/**
 * What an Elasticsearch failure may say to a caller or a log: its status
 * and error type only. The client's errors carry the request (documents,
 * queries) and Elasticsearch's reasons can quote field values; neither may
 * reach a log or an error body. 429 stays 429, so the caller backs off;
 * anything else is a 503.
 */
export function upstreamFailure(err: unknown, what: string): TakedownError {
  const meta = err as { meta?: { statusCode?: unknown; body?: { error?: { type?: unknown } } } } | null;
  const status = typeof meta?.meta?.statusCode === 'number' ? meta.meta.statusCode : undefined;
  const rawType = meta?.meta?.body?.error?.type;
  const type = typeof rawType === 'string' && /^[a-z_]{1,80}$/.test(rawType) ? rawType : undefined;
  const said = `${what} failed${status ? ` (Elasticsearch ${status}${type ? ` ${type}` : ''})` : ' (Elasticsearch did not answer)'}`;
  if (status === 429) return new EsRefusal(429, 'es_rejected_execution_exception', `${said}; retry later`, 'upstream_busy');
  // Too large for Elasticsearch even in Takedown's bounded rounds: sending it again will not help.
  if (status === 413) return new EsRefusal(413, 'content_too_long_exception', `${said}; send smaller bulks`, 'upstream_too_large');
  return new UnavailableError(said, 'upstream_unavailable');
}
