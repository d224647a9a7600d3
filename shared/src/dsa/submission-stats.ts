import type { RedisClient } from '../clients/redis';
import type { ModerationKeys } from '../moderation/keys';

/**
 * The submitter's counters, kept in one Redis hash so every submitter
 * process adds to the same figures and the moderation API's /metrics shows
 * them (workers serve no HTTP). Batch latency is a histogram in the same
 * hash (`le:<ms>` cumulative buckets, `latency_sum_ms`, `latency_count`).
 * Per-statement counters of csam statements are kept apart (`csam:<name>`),
 * as the decision counts are, so /metrics can leave them out for a caller
 * without the csam grant.
 */
export const STATEMENT_RESULT_COUNTERS = ['submitted', 'duplicates', 'rejected', 'failed', 'retries'] as const;
export const CALL_COUNTERS = ['calls', 'auth_failures'] as const;
export type SubmissionCounter = (typeof STATEMENT_RESULT_COUNTERS)[number] | (typeof CALL_COUNTERS)[number] | `csam:${(typeof STATEMENT_RESULT_COUNTERS)[number]}`;

export const SUBMISSION_LATENCY_BUCKETS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] as const;

/** The submitter's Redis keys, under the queue prefix's own tag. */
export interface SubmissionKeys {
  /** Held by the one submitter with a batch in flight (renew-lock). */
  readonly lock: string;
  readonly stats: string;
}

export function submissionKeys(keys: Pick<ModerationKeys, 'base'>): SubmissionKeys {
  return { lock: `${keys.base}:tdb:submitter`, stats: `${keys.base}:tdb:stats` };
}

/** Adds to the counters and, with `latencyMs`, one call to the latency histogram (one round trip). */
export async function addSubmissionStats(redis: RedisClient, key: string, add: Partial<Record<SubmissionCounter, number>>, latencyMs?: number): Promise<void> {
  const m = redis.multi();
  for (const [k, v] of Object.entries(add)) if (v) m.hincrby(key, k, v);
  if (latencyMs !== undefined) {
    for (const le of SUBMISSION_LATENCY_BUCKETS_MS) if (latencyMs <= le) m.hincrby(key, `le:${le}`, 1);
    m.hincrby(key, 'latency_sum_ms', Math.round(latencyMs));
    m.hincrby(key, 'latency_count', 1);
  }
  await m.exec();
}

export async function readSubmissionStats(redis: RedisClient, key: string): Promise<Record<string, number>> {
  const h = await redis.hgetall(key);
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
}
