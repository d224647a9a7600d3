import type { Redis } from 'ioredis';
import type { RedisClient } from './redis';

/**
 * TEMPORARY, until shared/src/moderation (keys, lua-scripts, case store) is
 * widened to RedisClient by the cluster-safe-scripts change of issue 18: its
 * functions still declare an ioredis `Redis`, while every process now holds
 * a RedisClient (a `Redis` or, configured so, a `Cluster`). The moderation
 * code calls only methods both classes have (evalsha, eval, script,
 * pipeline, multi, hash/zset/stream commands), so a Cluster works there at
 * run time as far as its scripts are cluster-safe; the type says otherwise.
 * This is the one place that narrows; the integrator deletes it with the
 * widening (every call site then passes the client straight through).
 */
export function moderationRedis(client: RedisClient): Redis {
  return client as Redis;
}
