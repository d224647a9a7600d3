import type { Redis } from 'ioredis';
import type { ModerationState } from '../domain/vocabulary';
import type { ContentDocument } from '../indices/content-index';
import { decisionFromHash, type DecisionRecord } from './case-record';
import { caseIdFor } from './ids';
import type { ModerationKeys } from './keys';

type Moderation = NonNullable<ContentDocument['moderation']>;

const STATE_OF: Readonly<Record<string, ModerationState>> = { remove: 'removed', restrict: 'restricted', label: 'labelled', keep: 'none' };

/** Whether a decision changes the content (escalations do not). */
export function changesContent(action: string): boolean {
  return Object.hasOwn(STATE_OF, action);
}

/** What a decision does to the content document's moderation fields. */
export function moderationFor(d: Pick<DecisionRecord, 'id' | 'action' | 'category' | 'countries'>, at: string): Moderation {
  if (!changesContent(d.action)) throw new Error(`decision action ${d.action} does not change content`);
  return {
    state: STATE_OF[d.action] as ModerationState,
    category: d.action === 'keep' ? null : d.category,
    decisionId: d.id,
    restrictedIn: d.action === 'restrict' ? (d.countries ?? []) : [],
    labels: d.action === 'label' ? [d.category] : [],
    updatedAt: at,
  };
}

/**
 * The latest content-changing decision recorded for each content id, read
 * from the case store (Redis, the source of truth for decisions): a post
 * deleted and written again, or re-indexed into a new index, gets its
 * decision back even though the old document is gone. Two pipelined round
 * trips for a whole batch; the second only for the (few) decided ids.
 */
export async function recordedDecisions(redis: Redis, keys: ModerationKeys, contentIds: readonly string[], at: string): Promise<Map<string, Moderation>> {
  const out = new Map<string, Moderation>();
  if (contentIds.length === 0) return out;
  const pipe = redis.pipeline();
  for (const id of contentIds) pipe.hmget(keys.case(caseIdFor(id)), 'lastDecisionId', 'lastAction', 'autoRemovedBy');
  const heads = (await pipe.exec()) ?? [];
  const wanted: [string, string][] = [];
  heads.forEach(([err, value], i) => {
    if (err) throw err;
    const [lastDecisionId, lastAction, autoRemovedBy] = value as (string | null)[];
    // A human decision outranks the automated removal it confirms or reverses.
    const decisionId = lastDecisionId && lastAction && changesContent(lastAction) ? lastDecisionId : autoRemovedBy;
    if (decisionId) wanted.push([contentIds[i] as string, decisionId]);
  });
  if (wanted.length === 0) return out;
  const read = redis.pipeline();
  for (const [, decisionId] of wanted) read.hgetall(keys.decision(decisionId));
  const records = (await read.exec()) ?? [];
  records.forEach(([err, value], i) => {
    if (err) throw err;
    const d = decisionFromHash(value as Record<string, string>);
    const contentId = (wanted[i] as [string, string])[0];
    if (d && changesContent(d.action)) out.set(contentId, moderationFor(d, at));
  });
  return out;
}
