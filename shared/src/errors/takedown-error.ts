/**
 * The one error tree. Every error a package throws on purpose is a
 * TakedownError with a stable machine `code`; the HTTP middleware maps the
 * class to a status. Messages must never carry secrets: they reach clients.
 */
export class TakedownError extends Error {
  readonly code: string;
  readonly status: number;
  /** JSON path (e.g. "/content/id") of the offending input, when there is one. */
  readonly field: string | undefined;
  /** Structured detail safe to show the caller (e.g. every bad row of an import). */
  details?: unknown;

  constructor(code: string, message: string, status = 500, field?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.field = field;
  }
}

/** Input that fails its schema or a business rule on its shape. */
export class ValidationError extends TakedownError {
  constructor(message: string, field?: string, code = 'invalid_request') {
    super(code, message, 400, field);
  }
}

/** Missing, malformed, unknown or revoked credentials. */
export class AuthenticationError extends TakedownError {
  constructor(message = 'authentication required', code = 'unauthenticated') {
    super(code, message, 401);
  }
}

/** Authenticated, but the role may not do this. */
export class ForbiddenError extends TakedownError {
  constructor(message = 'this role may not do that', code = 'forbidden', field?: string) {
    super(code, message, 403, field);
  }
}

export class NotFoundError extends TakedownError {
  constructor(message = 'not found', code = 'not_found', field?: string) {
    super(code, message, 404, field);
  }
}

/** State conflicts: a lost lease, a duplicate, an edit on a stale version. */
export class ConflictError extends TakedownError {
  constructor(message: string, code = 'conflict', field?: string) {
    super(code, message, 409, field);
  }
}

export class RateLimitedError extends TakedownError {
  constructor(
    message = 'too many requests',
    code = 'rate_limited',
    /** Sent as Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    super(code, message, 429);
  }
}

/** A dependency (Redis, Elasticsearch, a ruleset) is not fit to serve: fail closed. */
export class UnavailableError extends TakedownError {
  constructor(message: string, code = 'unavailable', options?: { cause?: unknown }) {
    super(code, message, 503, undefined, options);
  }
}

/** Invalid configuration found at boot. Never reaches HTTP. */
export class ConfigError extends TakedownError {
  constructor(message: string, field?: string) {
    super('invalid_config', message, 500, field);
  }
}

export function isTakedownError(err: unknown): err is TakedownError {
  return err instanceof TakedownError;
}
