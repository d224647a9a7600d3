import calculateSlot from 'cluster-key-slot';
import { LANES, caseIdFor, caseShardIndex, hashTagOf, moderationKeys } from '@takedown/shared';

// Keys of cases spread over Redis Cluster slots, one slot per shard, so a
// script on one case (all its keys in its shard) never crosses slots.

const keys = moderationKeys('{takedown}', 16);
const ids = Array.from({ length: 400 }, (_, i) => caseIdFor(`post-${i}`));

describe('case shards', () => {
  it('put the keys of different cases in more than one slot, one per shard', () => {
    const slots = new Set(ids.map((id) => calculateSlot(keys.case(id))));
    const shardSlots = new Set(keys.shards.map((s) => calculateSlot(s.lane('default'))));
    expect(slots.size).toBeGreaterThan(1);
    expect(shardSlots.size).toBe(16);
    expect([...slots].every((s) => shardSlots.has(s))).toBe(true);
  });

  it('use every shard, about evenly, by a stable hash of the case id (itself derived from the content id)', () => {
    const counts = new Array<number>(16).fill(0);
    for (const id of ids) counts[caseShardIndex(id, 16)]! += 1;
    expect(counts.every((n) => n > 0)).toBe(true);
    expect(Math.max(...counts)).toBeLessThan(3 * (ids.length / 16));
    expect(caseShardIndex(caseIdFor('post-1'), 16)).toBe(caseShardIndex(caseIdFor('post-1'), 16));
    expect(keys.shardOf(ids[0]!).index).toBe(caseShardIndex(ids[0]!, 16));
  });

  it('keep every key of a shard in its slot, and the keys outside the case store in the prefix tag', () => {
    for (const s of keys.shards) {
      const own = [s.case('c1'), s.caseReports('c1'), s.caseDecisions('c1'), s.caseAppeals('c1'), s.decision('d1'), ...LANES.flatMap((l) => [s.lane(l), s.laneAge(l)]), s.leases, s.cases, s.outbox, s.dirty, s.audit, s.decisionCounts, s.decisionCountsOutsideCsam, s.takedownLatency];
      expect(new Set(own.map((k) => calculateSlot(k))).size).toBe(1);
      expect(own.every((k) => k.startsWith(`{takedown:${s.label}}:`))).toBe(true);
    }
    const global = [keys.audit, keys.auditWriterLock, keys.tokens, keys.tokenIndex, keys.people, keys.adminSession('h'), keys.adminSessionsOf('t'), keys.caseShardCount, keys.workers];
    expect(new Set(global.map((k) => calculateSlot(k)))).toEqual(new Set([calculateSlot('{takedown}')]));
  });

  it('refuse a shard count outside 1..256', () => {
    expect(() => moderationKeys('{takedown}', 0)).toThrow(RangeError);
    expect(() => moderationKeys('{takedown}', 257)).toThrow(RangeError);
    expect(moderationKeys('{takedown}', 1).shards).toHaveLength(1);
  });

  it('route by the hash tag Redis Cluster hashes: the first non-empty {…}', () => {
    expect(hashTagOf('{takedown:s07}:mod:case:c1')).toBe('takedown:s07');
    expect(hashTagOf('plain')).toBe('plain');
    expect(hashTagOf('{}x{y}')).toBe('{}x{y}');
    for (const k of [keys.case('c1'), keys.shards[3]!.lane('default'), keys.tokens]) expect(calculateSlot(hashTagOf(k))).toBe(calculateSlot(k));
  });
});
