import type { RedisClient } from '../clients/redis';
import type { ContentDocument } from '../indices/content-index';
import type { ModerationKeys } from './keys';
import type { TakedownMessage } from './takedown-message';

type Moderation = NonNullable<ContentDocument['moderation']>;

/** How long takedowns stay in the catch-up set: far longer than any refresh interval. */
export const RECENT_TAKEDOWNS_MS = 5 * 60_000;

/** The takedown channel's message for a decision's moderation fields. */
export function takedownMessageFor(moderation: Moderation, contentId: string, now: Date): TakedownMessage {
  return {
    contentId,
    state: moderation.state ?? 'none',
    decisionId: moderation.decisionId ?? '',
    restrictedIn: moderation.restrictedIn ?? [],
    at: now.toISOString(),
    ...(moderation.decisionSeq !== undefined ? { decisionSeq: moderation.decisionSeq } : {}),
  };
}

/** Whether a message hides content (announced as early as it is known: only ever more hiding). */
export const hidesContent = (m: Pick<TakedownMessage, 'state'>): boolean => m.state === 'removed' || m.state === 'restricted';

/**
 * Tells every search instance about a takedown: kept a few minutes in the
 * recent set (an instance that was disconnected catches up from it) and
 * announced on the takedown channel, in one transaction. Sharded (SPUBLISH):
 * read by the search instances' SSUBSCRIBE on the shard of the recent set,
 * whose hash tag the channel shares, so the MULTI stays on one slot.
 */
export async function publishTakedown(redis: RedisClient, keys: Pick<ModerationKeys, 'recentTakedowns' | 'takedownChannel'>, message: TakedownMessage, now: Date): Promise<void> {
  const payload = JSON.stringify(message);
  await redis
    .multi()
    .zadd(keys.recentTakedowns, now.getTime(), payload)
    .zremrangebyscore(keys.recentTakedowns, '-inf', now.getTime() - RECENT_TAKEDOWNS_MS)
    .spublish(keys.takedownChannel, payload)
    .exec();
}
