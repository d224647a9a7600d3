/// <reference path="../types/cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';
import { isCluster, type RedisClient } from './redis';

/**
 * Runs `write` (commands on `key`'s slot, sent through `client`), then
 * `WAIT replicas timeoutMs` on the connection that carried them, and says how
 * many replicas confirmed. WAIT counts the writes of its own connection only,
 * so it must go to the very node connection the write went through:
 *
 * - one node: the client is that connection;
 * - a cluster: ioredis sends a keyless command such as WAIT to a random
 *   node, so WAIT goes to the pool connection of the master that owns the
 *   key's slot (the one the keyed write was routed to). When that slot moved
 *   while the write ran (a failover, a MOVED), the write may have gone
 *   elsewhere: nothing is claimed, 0 confirmed.
 *
 * The write's own errors propagate; WAIT's errors (the node died meanwhile)
 * count as 0 confirmed, since the write may be lost with it.
 */
export async function writeThenWait<T>(client: RedisClient, key: string, write: () => Promise<T>, o: { replicas: number; timeoutMs: number }): Promise<{ result: T; acknowledged: number }> {
  if (!isCluster(client)) {
    const result = await write();
    return { result, acknowledged: await client.wait(o.replicas, o.timeoutMs).catch(() => 0) };
  }
  const slot = calculateSlot(key);
  // Before the first command the slot map is empty: a keyed read connects and fills it.
  if (client.slots[slot] === undefined) await client.exists(key);
  const before = client.slots[slot]?.[0];
  const result = await write();
  const after = client.slots[slot]?.[0];
  if (before === undefined || before !== after) return { result, acknowledged: 0 };
  const node = client.nodes('master').find((n) => `${n.options.host ?? ''}:${n.options.port ?? ''}` === before);
  if (!node) return { result, acknowledged: 0 };
  return { result, acknowledged: await node.wait(o.replicas, o.timeoutMs).catch(() => 0) };
}
