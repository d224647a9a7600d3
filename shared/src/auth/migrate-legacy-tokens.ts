import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../clients/redis';
import type { ModerationKeys } from '../moderation/keys';
import type { TokenRecord, TokenStore } from './token-store';

/**
 * Tokens from before tokens belonged to people become one person each: the
 * person gets the token's role and grants, an id derived from its name, and
 * the token's old "role:name" identity as a former actor, so a decision made
 * under it still counts as theirs ("not the same person" rules). Idempotent;
 * one process at a time (a lock), so two booting APIs never make two people
 * for one token. Returns how many tokens were moved.
 */
export async function migrateLegacyTokens(redis: RedisClient, keys: ModerationKeys, tokens: TokenStore, by = 'system:migration'): Promise<number> {
  const all = await redis.hgetall(keys.tokens);
  const legacy = Object.entries(all).filter(([, raw]) => (JSON.parse(raw) as TokenRecord).actorId === undefined);
  if (legacy.length === 0) return 0;
  const lock = randomBytes(8).toString('hex');
  if ((await redis.set(keys.tokenMigrationLock, lock, 'PX', 60_000, 'NX')) !== 'OK') return 0;
  let moved = 0;
  try {
    for (const [hash] of legacy) {
      // Read again under the lock: another process may have moved it before we took the lock.
      const raw = await redis.hget(keys.tokens, hash);
      if (!raw) continue;
      const r = JSON.parse(raw) as TokenRecord;
      if (r.actorId !== undefined) continue;
      const person = await tokens.people.create(
        { displayName: r.name, roles: [r.role], grants: r.grants ?? {} },
        by,
        { formerActors: [`${r.role}:${r.name}`] },
      );
      // A revoked token's person exists for the history only.
      if (r.revokedAt) await tokens.people.disable(person.id, by);
      const { grants: _moved, ...rest } = r;
      const record: TokenRecord = { ...rest, actorId: person.id };
      const m = redis.multi().hset(keys.tokens, hash, JSON.stringify(record)).hset(keys.tokenIndex, `id:${r.id}`, hash);
      if (!r.revokedAt) m.hsetnx(keys.tokenIndex, `name:${r.name}`, hash);
      await m.exec();
      moved++;
    }
  } finally {
    if ((await redis.get(keys.tokenMigrationLock)) === lock) await redis.del(keys.tokenMigrationLock);
  }
  return moved;
}
