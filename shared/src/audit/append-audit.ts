import type { RedisClient } from '../clients/redis';
import { runScript } from '../moderation/lua-scripts';
import type { ModerationKeys } from '../moderation/keys';
import type { AuditEventInput } from './audit-event';

/**
 * Appends an audit event for a change that has no other state in Redis
 * (tokens, rule edits, media reveals). Changes that do have state append
 * their event inside their own Lua script, atomically with the change.
 */
export async function appendAudit(redis: RedisClient, keys: Pick<ModerationKeys, 'audit'>, event: AuditEventInput): Promise<void> {
  await runScript(redis, 'append-audit', [keys.audit], [JSON.stringify(event)]);
}
