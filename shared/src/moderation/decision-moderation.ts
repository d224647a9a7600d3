import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../clients/redis';
import type { ModerationState } from '../domain/vocabulary';
import type { ContentDocument } from '../indices/content-index';
import { decisionFromHash, type DecisionRecord } from './case-record';
import { caseIdFor } from './ids';
import type { ModerationKeys } from './keys';
import { runScripts } from './lua-scripts';
import { pipelined } from './pipelined';

type Moderation = NonNullable<ContentDocument['moderation']>;

const STATE_OF: Readonly<Record<string, ModerationState>> = { remove: 'removed', restrict: 'restricted', label: 'labelled', keep: 'none' };

/** Whether a decision changes the content (escalations do not). */
export function changesContent(action: string): boolean {
  return Object.hasOwn(STATE_OF, action);
}

/** What a decision does to the content document's moderation fields. */
export function moderationFor(d: Pick<DecisionRecord, 'id' | 'action' | 'category' | 'countries' | 'seq'>, at: string): Moderation {
  if (!changesContent(d.action)) throw new Error(`decision action ${d.action} does not change content`);
  return {
    state: STATE_OF[d.action] as ModerationState,
    category: d.action === 'keep' ? null : d.category,
    decisionId: d.id,
    ...(d.seq !== undefined ? { decisionSeq: d.seq } : {}),
    restrictedIn: d.action === 'restrict' ? (d.countries ?? []) : [],
    labels: d.action === 'label' ? [d.category] : [],
    updatedAt: at,
  };
}

/** Cases read per decision-heads-n.lua call (about a millisecond of Redis time). */
const HEADS_PER_CALL = 2000;

/**
 * The latest content-changing decision recorded for each content id, read
 * from the case store (RedisClient, the source of truth for decisions): a post
 * deleted and written again, or re-indexed into a new index, gets its
 * decision back even though the old document is gone. One script call for
 * a whole batch (decision-heads-n.lua), a round trip more only for the (few)
 * decided ids, and more only when the last decision changed nothing (an
 * escalation): then the case's decision history is walked back to the last
 * one that did.
 */
export async function recordedDecisions(redis: RedisClient, keys: ModerationKeys, contentIds: readonly string[], at: string): Promise<Map<string, Moderation>> {
  const out = new Map<string, Moderation>();
  if (contentIds.length === 0) return out;
  const wanted: [string, string][] = [];
  const walk: string[] = [];
  // Grouped by case shard (one script call touches one slot), chunked (one call holds Redis for its whole run), one pipeline.
  const byShard = new Map<number, string[]>();
  for (const id of contentIds) {
    const shard = keys.shardOf(caseIdFor(id)).index;
    const group = byShard.get(shard);
    if (group) group.push(id);
    else byShard.set(shard, [id]);
  }
  const chunks: string[][] = [];
  for (const group of byShard.values()) for (let start = 0; start < group.length; start += HEADS_PER_CALL) chunks.push(group.slice(start, start + HEADS_PER_CALL));
  const results = await runScripts(
    redis,
    chunks.map((chunk) => ({ name: 'decision-heads', keys: chunk.map((id) => keys.case(caseIdFor(id))), args: [] })),
  );
  chunks.forEach((chunk, c) => {
    const heads = results[c] as (number | string)[];
    for (let k = 0; k + 3 < heads.length; k += 4) {
      const contentId = chunk[Number(heads[k]) - 1] as string;
      const [lastDecisionId, lastAction, autoRemovedBy] = [heads[k + 1], heads[k + 2], heads[k + 3]] as string[];
      if (lastDecisionId && lastAction && changesContent(lastAction)) wanted.push([contentId, lastDecisionId]);
      else if (lastAction) walk.push(contentId);
      else if (autoRemovedBy) wanted.push([contentId, autoRemovedBy]);
    }
  });
  if (walk.length > 0) {
    const lists = await pipelined<string[]>(redis, walk.map((id) => ({ key: keys.caseDecisions(caseIdFor(id)), add: (p) => p.lrange(keys.caseDecisions(caseIdFor(id)), 0, -1) })));
    const asked: [string, string[]][] = walk.map((contentId, i) => [contentId, lists[i] ?? []]);
    const found = await pipelined<string | null>(
      redis,
      asked.flatMap(([contentId, list]) => list.map((d) => ({ key: keys.decision(caseIdFor(contentId), d), add: (p: ChainableCommander) => p.hget(keys.decision(caseIdFor(contentId), d), 'action') }))),
    );
    let k = 0;
    for (const [contentId, list] of asked) {
      let latest: string | undefined;
      for (const d of list) {
        const action = found[k++];
        if (typeof action === 'string' && changesContent(action)) latest = d;
      }
      if (latest) wanted.push([contentId, latest]);
    }
  }
  if (wanted.length === 0) return out;
  const records = await pipelined<Record<string, string>>(redis, wanted.map(([contentId, decisionId]) => ({ key: keys.decision(caseIdFor(contentId), decisionId), add: (p) => p.hgetall(keys.decision(caseIdFor(contentId), decisionId)) })));
  records.forEach((value, i) => {
    const d = decisionFromHash(value);
    const contentId = (wanted[i] as [string, string])[0];
    if (d && changesContent(d.action)) out.set(contentId, moderationFor(d, at));
  });
  return out;
}
