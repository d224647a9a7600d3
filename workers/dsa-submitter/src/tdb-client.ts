import { retryAfterMs } from './backoff';
import { classifyAnswer, type BatchOutcome } from './tdb-response';

export interface TdbClientOptions {
  /** Base URL of the database's API; the bulk call is `<url>/api/v1/statements`. */
  url: string;
  token: string;
  timeoutMs: number;
}

/** Sends one batch to the database's bulk call. */
export interface TdbClient {
  submit(statements: readonly Record<string, unknown>[], puids: readonly string[]): Promise<BatchOutcome>;
}

/** Largest answer read: 100 stored statements echoed back stay well below it. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export function createTdbClient(o: TdbClientOptions): TdbClient {
  const endpoint = `${o.url.replace(/\/+$/, '')}/api/v1/statements`;
  return {
    async submit(statements, puids) {
      let res: Response;
      // One signal bounds the whole exchange, the body's read included.
      const signal = AbortSignal.timeout(o.timeoutMs);
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { authorization: `Bearer ${o.token}`, accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ statements }),
          signal,
          redirect: 'error',
        });
      } catch (err) {
        return { kind: 'transient', error: transportError(err, o.timeoutMs) };
      }
      let body: unknown;
      try {
        const text = await res.text();
        body = text.length > MAX_ANSWER_BYTES ? undefined : JSON.parse(text);
      } catch (err) {
        // A 201 whose body was lost or garbled still means stored; anything else is retried.
        if (res.status !== 201) return { kind: 'transient', error: `HTTP ${res.status}: ${transportError(err, o.timeoutMs)}` };
      }
      return classifyAnswer(res.status, body, puids, retryAfterMs(res.headers.get('retry-after'), Date.now()));
    },
  };
}

/** A transport failure in words: no URL (it may carry credentials) and never the token. */
function transportError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  if (e?.cause?.code) return `connection error ${e.cause.code}`;
  return err instanceof SyntaxError ? 'answer is not JSON' : 'connection error';
}

/** https anywhere; plain http only to a loopback host (the token is a bearer secret). */
export function isSafeTdbUrl(url: string): boolean {
  const u = new URL(url);
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
}
