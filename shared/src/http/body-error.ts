import type { RequestHandler } from 'express';
import { TakedownError } from '../errors/takedown-error';

/**
 * Why a request body could not be read, in both services' terms: the status,
 * a stable `code`, the `field` at fault (a header name, or '' for the body as
 * a whole) and the Elasticsearch error type the search and ingest services
 * answer with. Messages are ours: a parser's own text can quote the body.
 */
export interface BodyProblem {
  status: 400 | 413 | 415;
  code: string;
  field: string;
  esType: string;
  message: string;
}

const problem = (status: BodyProblem['status'], code: string, field: string, esType: string, message: string): BodyProblem => ({ status, code, field, esType, message });

/** body-parser / raw-body error types (err.type), each with what it means for the caller. */
const BY_TYPE: Readonly<Record<string, BodyProblem>> = {
  'entity.too.large': problem(413, 'payload_too_large', '', 'content_too_long_exception', 'request body is too large'),
  'entity.parse.failed': problem(400, 'invalid_json', '', 'parse_exception', 'request body is not valid JSON'),
  'charset.unsupported': problem(415, 'unsupported_charset', 'content-type', 'media_type_header_exception', 'the charset named in Content-Type is not supported (send UTF-8)'),
  'encoding.unsupported': problem(415, 'unsupported_content_encoding', 'content-encoding', 'media_type_header_exception', 'the Content-Encoding is not supported (identity, gzip, deflate or br)'),
  'request.size.invalid': problem(400, 'bad_content_length', 'content-length', 'parse_exception', 'the body is not as long as Content-Length says'),
  'request.aborted': problem(400, 'request_aborted', '', 'parse_exception', 'the request body ended before it was complete'),
};

/** What `bodyReader` throws: a body problem in the error tree, rendered by either service's middleware. */
export class UnreadableBodyError extends TakedownError {
  readonly esType: string;

  constructor(p: BodyProblem) {
    super(p.code, p.message, p.status, p.field);
    this.esType = p.esType;
  }
}

/**
 * A request body the HTTP layer could not read (body-parser, raw-body,
 * zlib): too large (413), a charset or Content-Encoding it does not support
 * (415), a body that is not what its Content-Encoding says, malformed JSON,
 * a short or aborted upload (400). The client's fault, so a 4xx; undefined
 * for anything else (a bug of ours stays a 500). Callers map their own
 * TakedownErrors first.
 */
export function unreadableBody(err: unknown): BodyProblem | undefined {
  if (err instanceof UnreadableBodyError) return { status: err.status as BodyProblem['status'], code: err.code, field: err.field ?? '', esType: err.esType, message: err.message };
  if (err instanceof TakedownError) return undefined;
  const e = err as { type?: unknown; status?: unknown; code?: unknown } | null;
  if (e === null || typeof e !== 'object') return undefined;
  if (typeof e.type === 'string' && Object.hasOwn(BY_TYPE, e.type)) return BY_TYPE[e.type];
  // zlib's and brotli's errors (a "gzip" body that is not gzip) reach us as a 400 without a type, with their own code.
  if (e.status === 400 && typeof e.code === 'string' && ZLIB_CODE.test(e.code)) {
    return problem(400, 'bad_content_encoding', 'content-encoding', 'parse_exception', 'the body is not encoded as its Content-Encoding says');
  }
  return undefined;
}

/** Error codes of node:zlib (Z_DATA_ERROR, Z_BUF_ERROR) and of its brotli and zstd decoders (ERR__ERROR_FORMAT_…, ERR_BROTLI_…). */
const ZLIB_CODE = /^(Z_|ERR__|ERR_BROTLI|ERR_ZSTD)/;

/**
 * Any other error the HTTP stack marks as the client's (http-errors sets
 * `expose` below 500: a path parameter that does not URL-decode, say): a
 * plain 400. Ours never carry `expose`, so they stay 500s.
 */
export function clientHttpError(err: unknown): { status: number } | undefined {
  const e = err as { status?: unknown; expose?: unknown } | null;
  if (e === null || typeof e !== 'object' || err instanceof TakedownError || e.expose !== true) return undefined;
  return typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? { status: e.status } : undefined;
}

/**
 * Wraps a body-parser middleware so every way a body can be unreadable
 * reaches the error middleware as an UnreadableBodyError (4xx) with its
 * code and field, whichever service renders it. Anything else (a bug of
 * ours) passes through unchanged and stays a 500.
 */
export function bodyReader(parser: RequestHandler): RequestHandler {
  const classify = (err: unknown): unknown => {
    const p = unreadableBody(err);
    return p ? new UnreadableBodyError(p) : err;
  };
  return (req, res, next) => {
    try {
      void parser(req, res, (err?: unknown) => (err === undefined || err === 'route' || err === 'router' ? next(err as undefined) : next(classify(err))));
    } catch (err) {
      next(classify(err));
    }
  };
}
