import { TakedownError, UnavailableError } from '@takedown/shared';

export interface ApiResponse {
  status: number;
  /** The parsed JSON body, when it was JSON. */
  body: any;
  text: string;
}

/** The moderation API as one token sees it. */
export interface ApiClient {
  call(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

/** A server answered with an error: its status, and its body's code, message, field and details (an import's bad lines). */
export class ApiRefusal extends TakedownError {
  constructor(status: number, code: string, message: string, field?: string, details?: unknown) {
    super(code, message, status, field);
    if (details !== undefined) this.details = details;
  }

  static of(r: ApiResponse): ApiRefusal {
    const e = r.body?.error;
    const code = typeof e?.code === 'string' ? e.code : `http_${r.status}`;
    const message = typeof e?.message === 'string' ? e.message : r.text.slice(0, 300) || `HTTP ${r.status}`;
    return new ApiRefusal(r.status, code, message, typeof e?.field === 'string' ? e.field : undefined, e?.details);
  }
}

/** The body when the server answered `status`; an ApiRefusal otherwise. */
export function expectStatus(r: ApiResponse, status: number): any {
  if (r.status !== status) throw ApiRefusal.of(r);
  return r.body;
}

/**
 * A client of the moderation API. An import of a large list is one request
 * the API parses and validates whole, so the bound is generous; a server
 * that never answers still fails the command (exit 3), never hangs it.
 */
export function apiClient(baseUrl: string, token: string, timeoutMs = 120_000): ApiClient {
  const base = baseUrl.replace(/\/$/, '');
  return {
    async call(method, p, body) {
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${base}${p}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        throw unreachable('the moderation API', base, err);
      }
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text };
    },
  };
}

/** A fetch that got no answer: refused, unresolvable, reset or timed out. Names the server's origin only (a URL may carry credentials). */
export function unreachable(what: string, url: string, err: unknown): UnavailableError {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const reason =
    // AbortSignal.timeout's DOMException (not an Error in every realm).
    (err as { name?: unknown } | null)?.name === 'TimeoutError'
      ? 'timed out'
      : typeof cause?.code === 'string'
        ? cause.code
        : typeof cause?.message === 'string'
          ? cause.message
          : err instanceof Error
            ? err.message
            : String(err);
  let origin = url;
  try {
    origin = new URL(url).origin;
  } catch {
    // not a URL: fetch failed on it, say it as given
  }
  return new UnavailableError(`${what} at ${origin} did not answer (${reason})`, 'unreachable', { cause: err });
}
