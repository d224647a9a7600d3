import type { RedisClient } from '../clients/redis';
import { appendAudit } from '../audit/append-audit';
import type { Logger } from '../logging/logger';
import type { ModerationKeys } from '../moderation/keys';

/**
 * Appends a legal desk audit event after the change it records is durable
 * in the request store. Events name request ids, target indexes and the
 * SHA-256 of target values, never the values. The request's own history
 * (in the same write as the change) is the record a failed append leaves;
 * the append is retried a few times, then logged.
 */
export async function appendLegalAudit(
  deps: { redis: RedisClient; keys: Pick<ModerationKeys, 'audit'>; logger: Logger },
  event: { type: string; actor: string; at: string; data: Record<string, unknown> },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await appendAudit(deps.redis, deps.keys, event);
      return;
    } catch (err) {
      if (attempt >= 3) {
        deps.logger.error({ type: event.type, requestId: event.data['requestId'], err: (err as Error).message }, 'legal audit event not appended; the request history holds the change');
        return;
      }
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}
