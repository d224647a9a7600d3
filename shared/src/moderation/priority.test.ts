import fc from 'fast-check';
import { CATEGORIES, REPORTER_TYPES } from '../domain/vocabulary';
import { casePriority, laneScore, mostSevere, routeLane } from './priority';

const at = new Date('2026-11-20T00:00:00Z');
const base = { category: 'drugs' as const, reporterTypes: ['user' as const], reportCount: 1, liveRuleHits: 0, autoRemoveHit: false, firstReportedAt: at, now: at };

describe('case priority', () => {
  it('ranks severity first: one credible CSAM report above a pile of fraud reports', () => {
    const csam = casePriority({ ...base, category: 'csam' });
    const fraudPile = casePriority({ ...base, category: 'fraud', reportCount: 500, liveRuleHits: 2 });
    expect(csam).toBeGreaterThan(fraudPile);
  });

  it('rises with reporter trust, report count, rule hits and age', () => {
    const p = casePriority(base);
    expect(casePriority({ ...base, reporterTypes: ['user', 'trusted_flagger'] })).toBeGreaterThan(p);
    expect(casePriority({ ...base, reportCount: 8 })).toBeGreaterThan(p);
    expect(casePriority({ ...base, liveRuleHits: 1 })).toBeGreaterThan(p);
    expect(casePriority({ ...base, liveRuleHits: 1, autoRemoveHit: true })).toBeGreaterThan(casePriority({ ...base, liveRuleHits: 1 }));
    expect(casePriority({ ...base, now: new Date(at.getTime() + 6 * 3_600_000) })).toBeGreaterThan(p);
  });

  it('stays within 0..999 and is monotone in report count, for any input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CATEGORIES),
        fc.subarray([...REPORTER_TYPES]),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 10_000 }),
        (category, reporterTypes, reportCount, liveRuleHits, autoRemoveHit, hours) => {
          const input = { category, reporterTypes, reportCount, liveRuleHits, autoRemoveHit, firstReportedAt: at, now: new Date(at.getTime() + hours * 3_600_000) };
          const p = casePriority(input);
          expect(Number.isInteger(p) && p >= 0 && p <= 999).toBe(true);
          expect(casePriority({ ...input, reportCount: reportCount + 1 })).toBeGreaterThanOrEqual(p);
        },
      ),
    );
  });

  it('orders lane scores by priority, then oldest first, below 2^53', () => {
    const older = new Date('2026-01-01T00:00:00Z');
    expect(laneScore(900, at)).toBeLessThan(laneScore(100, older));
    expect(laneScore(500, older)).toBeLessThan(laneScore(500, at));
    expect(laneScore(0, new Date('2150-01-01T00:00:00Z'))).toBeLessThan(2 ** 53);
  });

  it('routes abuse material to the restricted lane, appeals included', () => {
    expect(routeLane('csam', { appeal: true })).toBe('csam');
    expect(routeLane('drugs', { appeal: true })).toBe('appeals');
    expect(routeLane('drugs', { escalated: true })).toBe('escalated');
    expect(routeLane('fraud')).toBe('default');
    expect(routeLane('fraud', { escalated: true, restricted: true })).toBe('csam');
    expect(mostSevere(['fraud', 'drugs', 'other'], 'other')).toBe('drugs');
  });
});
