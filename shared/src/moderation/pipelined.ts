/// <reference path="../types/cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander } from 'ioredis';
import { isCluster as isClusterClient, type RedisClient } from '../clients/redis';

/** The part of a key Redis Cluster hashes: the first non-empty {…}, else the whole key. */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return key.slice(open + 1, close);
  }
  return key;
}

/** One command of a pipelined read, with the key it is routed by. */
export interface Routed {
  key: string;
  add(p: ChainableCommander): void;
}

const isCluster = (redis: RedisClient): boolean => (redis as { isCluster?: boolean }).isCluster === true;

/**
 * What a command's pipeline is grouped by on a cluster: the master its slot
 * is on, as the client's slot map says (one pipeline per node: 3 round trips
 * on 3 masters, not one per shard), else the hash tag (map not loaded yet,
 * or a test forcing per-tag pipelines on one node).
 */
function groupOf(redis: RedisClient, key: string): string {
  if (isClusterClient(redis)) {
    const node = redis.slots[calculateSlot(key)]?.[0];
    if (node !== undefined) return `node:${node}`;
  }
  return `tag:${hashTagOf(key)}`;
}

/**
 * Sends commands (one each) in one round trip where the client allows it:
 * one pipeline on a single Redis; on Redis Cluster, where a pipeline must
 * stay on one node, one pipeline per master (per hash tag until the slot
 * map is known), all sent at once (so the case shards are read in
 * parallel). Replies come back in the order of
 * `commands`; the first error throws.
 */
export async function pipelined<T = unknown>(redis: RedisClient, commands: readonly Routed[], perTag = isCluster(redis)): Promise<T[]> {
  return (await pipelinedSettled(redis, commands, perTag)).map(([err, value]) => {
    if (err) throw err;
    return value as T;
  });
}

/**
 * As pipelined, but every reply as [error, value]: one failed read does not
 * hide the others. `perTag`: one pipeline per master, or per hash tag (the
 * default on a cluster client; tests force per-tag on a single Redis).
 */
export async function pipelinedSettled(redis: RedisClient, commands: readonly Routed[], perTag = isCluster(redis)): Promise<[Error | null, unknown][]> {
  if (commands.length === 0) return [];
  const groups = new Map<string, number[]>();
  if (perTag) {
    commands.forEach((c, i) => {
      const group = groupOf(redis, c.key);
      const g = groups.get(group);
      if (g) g.push(i);
      else groups.set(group, [i]);
    });
  } else {
    groups.set('', commands.map((_, i) => i));
  }
  const out = new Array<[Error | null, unknown]>(commands.length);
  await Promise.all(
    [...groups.values()].map(async (indices) => {
      const p = redis.pipeline();
      for (const i of indices) (commands[i] as Routed).add(p);
      const res = (await p.exec()) ?? [];
      indices.forEach((i, k) => {
        out[i] = res[k] ?? [new Error('no reply'), undefined];
      });
    }),
  );
  return out;
}
