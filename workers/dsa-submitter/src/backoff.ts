/** Exponential backoff with jitter, and the database's Retry-After. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/** A Retry-After longer than this is taken as this (a bad header must not park statements for weeks). */
export const MAX_RETRY_AFTER_MS = 24 * 3600_000;

/**
 * Delay before attempt `attempt + 1`, after `attempt` (1-based) failed:
 * base·2^(attempt−1), capped, then "equal jitter" (between half and all of
 * it), so submitters that failed together do not retry together but the
 * delay still grows with each attempt. `random` is in [0, 1).
 */
export function backoffMs(attempt: number, p: BackoffPolicy, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity long after the cap; min() handles it.
  const full = Math.min(p.capMs, p.baseMs * 2 ** (n - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

/**
 * A Retry-After header in ms from `now`: delta-seconds or an HTTP date;
 * undefined when absent or unreadable. Bounded by MAX_RETRY_AFTER_MS.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const h = header.trim();
  let ms: number;
  if (/^\d+$/.test(h)) ms = Number(h) * 1000;
  else {
    const at = Date.parse(h);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** The delay to use: the backoff, or the server's Retry-After when that is longer. */
export function retryDelayMs(attempt: number, p: BackoffPolicy, retryAfter: number | undefined, random: () => number = Math.random): number {
  const b = backoffMs(attempt, p, random);
  return retryAfter !== undefined && retryAfter > b ? retryAfter : b;
}
