import type { Cluster, Redis } from 'ioredis';

/**
 * Takedown's announcements (a ruleset or feature version published, a
 * takedown applied) use sharded pub/sub, SPUBLISH and SSUBSCRIBE (Redis 7),
 * on a single node and on a cluster alike: one code path. On a cluster a
 * plain PUBLISH is broadcast over the cluster bus to every node; a sharded
 * message stays on the shard that owns the channel's slot, and the channel
 * shares the hash tag of the keys it announces, so it lives with them.
 * A cluster subscriber must be built with ioredis' `shardedSubscribers`
 * (shared's createRedisClient: `shardedSubscriber: true`).
 */
export type PubSubClient = Redis | Cluster;

/**
 * Subscribes a dedicated client to one sharded channel and calls `onMessage`
 * with each message. ioredis re-subscribes after a reconnect (and, on a
 * cluster, after the slot moves to another node). The returned function
 * unsubscribes; the subscription itself is awaited by `subscribed`.
 */
export function subscribeSharded(subscriber: PubSubClient, channel: string, onMessage: (message: string) => void): { subscribed: Promise<void>; unsubscribe(): Promise<void> } {
  const listener = (ch: string, message: string) => {
    if (ch === channel) onMessage(message);
  };
  subscriber.on('smessage', listener);
  const subscribed = subscriber.ssubscribe(channel).then(() => undefined);
  return {
    subscribed,
    async unsubscribe() {
      subscriber.off('smessage', listener);
      await subscriber.sunsubscribe(channel).catch(() => undefined);
    },
  };
}

/** Announces on a sharded channel; resolves to the number of subscribers on that shard that received it. */
export async function publishSharded(client: PubSubClient, channel: string, message: string): Promise<number> {
  // ioredis types SPUBLISH's reply as unknown; Redis answers an integer.
  return Number(await client.spublish(channel, message));
}
