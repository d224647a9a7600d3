/**
 * A request with a hard client-side abort far beyond any bound the services
 * keep, and how long it took: a test of "answers, does not hang" reads the
 * answer or the failure, never waits forever.
 */
export type TimedAnswer = { status: number; headers: Headers; text: string; ms: number } | { error: string; ms: number };

export async function timed(url: string, init: RequestInit, hangBoundMs: number): Promise<TimedAnswer> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(hangBoundMs) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { error: String((err as Error).name ?? err), ms: Math.round(performance.now() - t0) };
  }
}

/** The status of an answered request, or undefined when it hung or failed. */
export const statusOf = (r: TimedAnswer): number | undefined => ('status' in r ? r.status : undefined);
