import type { RedisClient } from '../clients/redis';
import { ConfigError } from '../errors/takedown-error';
import { moderationKeys, type ModerationKeys } from './keys';

/**
 * The moderation keys for a process's config, once the case shard count is
 * known to match the one this Redis was started with. A case's shard is its
 * case id's hash modulo the count, so another count would look for every
 * case in the wrong shard: the count is recorded at first boot and a
 * process started with a different one refuses to start. A case store from
 * before shards existed (the unsharded cases index holds cases) is refused
 * too, rather than silently left behind.
 */
export async function openModerationKeys(redis: RedisClient, config: { queuePrefix: string; caseShards: number }): Promise<ModerationKeys> {
  const keys = moderationKeys(config.queuePrefix, config.caseShards);
  const want = String(keys.shards.length);
  let have = await redis.get(keys.caseShardCount);
  if (have === null) {
    if ((await redis.exists(keys.unshardedCases)) === 1) {
      throw new ConfigError(
        `this Redis holds an unsharded case store (${keys.unshardedCases}); move its cases into ${want} shards (TAKEDOWN_CASE_SHARDS) before starting this version`,
        'TAKEDOWN_CASE_SHARDS',
      );
    }
    // NX: of processes booting together, the first records the count and the others compare with it.
    await redis.set(keys.caseShardCount, want, 'NX');
    have = await redis.get(keys.caseShardCount);
  }
  if (have !== want) {
    throw new ConfigError(
      `TAKEDOWN_CASE_SHARDS is ${want}, but this Redis's case store was started with ${have} shards; start with TAKEDOWN_CASE_SHARDS=${have} (changing the count needs the cases moved between shards)`,
      'TAKEDOWN_CASE_SHARDS',
    );
  }
  return keys;
}
