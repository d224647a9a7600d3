import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../logging/logger';
import { TakedownError, UnavailableError, isTakedownError } from '../errors/takedown-error';
import { UnreadableBodyError, clientHttpError, unreadableBody } from './body-error';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from './error-middleware';

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
 * `field` names what is at fault (a JSON pointer into the body, a query
 * parameter, a header, `index`); a guard refusal's `extra.path` is its field.
 */
export class EsRefusal extends TakedownError {
  constructor(
    status: number,
    readonly type: string,
    message: string,
    reason: string,
    readonly extra: Record<string, unknown> = {},
    field?: string,
  ) {
    super(reason, message, status, field ?? (typeof extra['path'] === 'string' ? extra['path'] : undefined));
  }
}

/** What every refusal carries besides Elasticsearch's own keys: our code and the field at fault. */
function takedownPart(code: string, field: string | undefined, extra: Record<string, unknown>): Record<string, unknown> {
  const given = extra['takedown'];
  return { takedown: { ...(typeof given === 'object' && given !== null ? given : {}), code, ...(field === undefined ? {} : { field }) } };
}

/**
 * The last handler of an Elasticsearch-compatible service: refusals and 4xx
 * in Elasticsearch's error shape, 503 when a dependency is unfit (never a
 * silent pass-through), and a bare 500 that reveals nothing.
 */
export function esErrorHandler(o: { logger: Logger; onRefused?: (reason: string) => void }): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      // A streamed answer failed after its status and headers went out (Elasticsearch cut the body, say). A second
      // response cannot be sent and the first cannot be finished honestly: cut the connection, so the client's
      // read fails rather than ending on a truncated body, and say why in the log.
      o.logger.warn({ err: err instanceof Error ? { name: err.name, message: err.message } : String(err), method: req.method, path: req.path }, 'response failed after its headers were sent; connection cut');
      res.destroy();
      return;
    }
    if (err instanceof EsRefusal) {
      o.onRefused?.(err.code);
      return sendEsError(res, err.status, err.type, err.message, { ...err.extra, ...takedownPart(err.code, err.field, err.extra) });
    }
    if (err instanceof UnavailableError) {
      o.onRefused?.(err.code);
      res.set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      return sendEsError(res, 503, 'takedown_unavailable_exception', `refused, never served unfiltered: ${err.message}`, { takedown: { code: err.code } });
    }
    // body-parser: too large, bad charset or encoding, malformed, aborted: the client's fault, said plainly (one classification, body-error.ts).
    const body = err instanceof UnreadableBodyError || !isTakedownError(err) ? unreadableBody(err) : undefined;
    if (body) {
      o.onRefused?.('bad_body');
      return sendEsError(res, body.status, body.esType, body.message, takedownPart(body.code, body.field, {}));
    }
    if (isTakedownError(err) && err.status < 500) return sendEsError(res, err.status, err.code, err.message, takedownPart(err.code, err.field, {}));
    const client = clientHttpError(err);
    if (client) return sendEsError(res, client.status, 'illegal_argument_exception', 'the request could not be read', takedownPart('bad_request', '', {}));
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
