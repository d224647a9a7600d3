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

  it('spread the shards evenly over the slot range, so the even slot ranges of cluster masters hold about as many each', () => {
    for (const count of [3, 16, 64, 256]) {
      const k = moderationKeys('{takedown}', count);
      // Shard i's slot lies in the i-th 1/count of the 16384 slots.
      k.shards.forEach((s, i) => {
        const slot = calculateSlot(s.leases);
        expect({ count, i, inBand: slot >= Math.floor((i * 16384) / count) && slot < Math.floor(((i + 1) * 16384) / count) }).toEqual({ count, i, inBand: true });
      });
    }
    // The default layout over 3 masters (slots 0-5460, 5461-10922, 10923-16383): 5/6/5, where the plain labels gave 4/8/4.
    const perMaster = [0, 0, 0];
    for (const s of keys.shards) perMaster[Math.min(2, Math.floor(calculateSlot(s.leases) / 5461))]! += 1;
    expect(perMaster).toEqual([5, 6, 5]);
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
      // The shard's tag: its label, and a suffix where the label alone hashed outside the shard's slot band.
      expect(own.every((k) => new RegExp(`^\\{takedown:${s.label}(\\.\\d+)?\\}:`).test(k))).toBe(true);
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
