import type { RedisClient } from '../clients/redis';
import type { ModerationKeys } from './keys';

export type WorkerKind = 'triage' | 'actions' | 'backfill' | 'legal' | 'dsa-submitter';

/** Records that a worker process is alive, every few seconds, for /readyz. */
export function startHeartbeat(redis: RedisClient, keys: ModerationKeys, kind: WorkerKind, instance: string, everyMs = 5000): () => Promise<void> {
  const member = `${kind}:${instance}`;
  const beat = () => redis.zadd(keys.workers, Date.now(), member).catch(() => undefined);
  void beat();
  const timer = setInterval(() => void beat(), everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis.zrem(keys.workers, member).catch(() => undefined);
  };
}

/** Worker kinds with at least one heartbeat newer than `withinMs`. */
export async function liveWorkers(redis: RedisClient, keys: ModerationKeys, withinMs = 15000): Promise<Record<string, number>> {
  const members = await redis.zrangebyscore(keys.workers, Date.now() - withinMs, '+inf');
  const counts: Record<string, number> = {};
  for (const m of members) {
    const kind = m.split(':')[0] ?? m;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
