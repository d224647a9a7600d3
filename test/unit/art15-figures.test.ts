import { aggregateArt15, appealsFromAudit, art15Csv, isReversal, parseArt15Period, parseCsv } from '@takedown/shared';
// The fixture (test/fixtures/art15-records.json): every expected figure below is worked out by hand from it.
import { art15Fixture } from '../support/art15-fixture';

describe('Art. 15 figures', () => {
  it('parses years, halves, quarters and day ranges, and refuses anything else naming the field', () => {
    expect(parseArt15Period({ period: '2026' })).toEqual({ period: '2026', from: new Date('2026-01-01T00:00:00.000Z'), to: new Date('2027-01-01T00:00:00.000Z') });
    expect(parseArt15Period({ period: '2026-H2' })).toEqual({ period: '2026-H2', from: new Date('2026-07-01T00:00:00.000Z'), to: new Date('2027-01-01T00:00:00.000Z') });
    expect(parseArt15Period({ period: '2026-Q3' }).to).toEqual(new Date('2026-10-01T00:00:00.000Z'));
    // `to` is a day, included.
    expect(parseArt15Period({ from: '2026-02-01', to: '2026-02-28' })).toEqual({ period: '2026-02-01..2026-02-28', from: new Date('2026-02-01T00:00:00.000Z'), to: new Date('2026-03-01T00:00:00.000Z') });
    for (const bad of ['2026-H3', '2026-Q5', '26', '2026-q1', '', '0099', '1999-Q1']) expect(() => parseArt15Period({ period: bad })).toThrow(expect.objectContaining({ field: '/period' }));
    expect(() => parseArt15Period({ from: '2026-02-30', to: '2026-03-01' })).toThrow(expect.objectContaining({ field: '/from' }));
    expect(() => parseArt15Period({ from: '2026-03-02', to: '2026-03-01' })).toThrow(expect.objectContaining({ field: '/to' }));
    expect(() => parseArt15Period({ from: '2026-01-01', to: '2027-06-01' })).toThrow(expect.objectContaining({ field: '/to' }));
    expect(() => parseArt15Period({ from: '2026-01-01' })).toThrow(expect.objectContaining({ field: '/to' }));
    expect(() => parseArt15Period({})).toThrow(expect.objectContaining({ field: '/from' }));
    expect(() => parseArt15Period({ period: '2026', from: '2026-01-01', to: '2026-01-02' })).toThrow(expect.objectContaining({ field: '/period' }));
  });

  it('calls a reversal what undoes a removal or restriction, or turns a keep into one', () => {
    expect(isReversal('remove', 'keep')).toBe(true);
    expect(isReversal('restrict', 'label')).toBe(true);
    expect(isReversal('keep', 'remove')).toBe(true);
    expect(isReversal('label', 'restrict')).toBe(true);
    expect(isReversal('remove', 'restrict')).toBe(false);
    expect(isReversal('keep', 'label')).toBe(false);
    expect(isReversal(undefined, 'keep')).toBe(false);
  });

  it('counts the hand-computed fixture', () => {
    const fx = art15Fixture();
    const f = aggregateArt15(fx, { period: fx.period });
    expect(f.from).toBe('2026-07-01T00:00:00.000Z');
    expect(f.to).toBe('2026-10-01T00:00:00.000Z');
    expect(f.notices).toEqual([
      // N11 (received the last second of the quarter), decided an hour later.
      { category: 'csam', received: 1, byTrustedFlaggers: 0, byOthers: 1, decided: 1, medianHoursToAction: 1 },
      // N1 N2 N3 (N5 before the quarter, N12 after it, N10 a detector's: own initiative); hours to action 10, 2, 1.
      { category: 'drugs', received: 3, byTrustedFlaggers: 1, byOthers: 2, decided: 3, medianHoursToAction: 2 },
      // N4, not decided.
      { category: 'fraud', received: 1, byTrustedFlaggers: 1, byOthers: 0, decided: 0, medianHoursToAction: null },
    ]);
    expect(f.article9Orders).toEqual([
      // N6 (acknowledged at once; no action at 3 h, removed at 20 h: given effect at 20) and N7 (acknowledged after 1 h, removed at 4 h).
      { category: 'drugs', memberState: 'DE', received: 2, medianHoursToAcknowledge: 0.5, givenEffect: 2, medianHoursToGiveEffect: 12 },
      // N9: no member state set for its authority.
      { category: 'drugs', memberState: 'unknown', received: 1, medianHoursToAcknowledge: 0, givenEffect: 1, medianHoursToGiveEffect: 6 },
      { category: 'terrorism', memberState: 'FR', received: 1, medianHoursToAcknowledge: 0, givenEffect: 0, medianHoursToGiveEffect: null },
    ]);
    expect(f.article10Orders).toEqual([
      // L1 (ack 2 h, delivered 48 h) and L2 (1 h, 5 h); L3 is a preservation, L4 a US agency's, L6 before the quarter.
      { category: 'drug trafficking', memberState: 'DE', received: 2, medianHoursToAcknowledge: 1.5, givenEffect: 2, medianHoursToGiveEffect: 26.5 },
      { category: 'fraud', memberState: 'FR', received: 1, medianHoursToAcknowledge: 4, givenEffect: 0, medianHoursToGiveEffect: null },
    ]);
    expect(f.ownInitiative).toEqual([
      { category: 'csam', decisions: 1, fullyAutomated: 1, atLeastPartiallyAutomated: 1, shareFullyAutomated: 1, shareAtLeastPartiallyAutomated: 1 },
      // S1 (fully), S2 (partially), S3 (not); S5 was a notice's, S6 after the quarter.
      { category: 'drugs', decisions: 3, fullyAutomated: 1, atLeastPartiallyAutomated: 2, shareFullyAutomated: 0.333, shareAtLeastPartiallyAutomated: 0.667 },
    ]);
    expect(f.appeals).toEqual([
      // A1 (remove → keep, 24 h), A2 (remove → remove, 48 h), A3 (keep → restrict, 12 h); A5 before the quarter.
      { category: 'drugs', received: 3, decided: 3, medianHoursToDecide: 24, reversed: 2, shareReversed: 0.667 },
      // A4 undecided; A6 label → label, 6 h.
      { category: 'fraud', received: 2, decided: 1, medianHoursToDecide: 6, reversed: 0, shareReversed: 0 },
    ]);
    expect(f.method).toMatch(/SOURCE_VOLUNTARY/);
  });

  it('writes one CSV line per figure', () => {
    const fx = art15Fixture();
    const rows = parseCsv(art15Csv(aggregateArt15(fx, { period: fx.period }))).map((r) => r.cells);
    expect(rows[0]).toEqual(['period', 'section', 'category', 'member_state', 'measure', 'value']);
    expect(rows).toContainEqual(['2026-Q3', 'notices', 'drugs', '', 'by_trusted_flaggers', '1']);
    expect(rows).toContainEqual(['2026-Q3', 'article9_orders', 'drugs', 'DE', 'median_hours_to_give_effect', '12']);
    expect(rows).toContainEqual(['2026-Q3', 'article10_orders', 'fraud', 'FR', 'median_hours_to_give_effect', '']);
    expect(rows).toContainEqual(['2026-Q3', 'appeals', 'drugs', '', 'share_reversed', '0.667']);
    // 3 notice rows × 5 + 5 order rows × 4 + 2 own-initiative rows × 5 + 2 appeal rows × 5, and the header.
    expect(rows).toHaveLength(1 + 15 + 20 + 10 + 10);
  });

  it('shapes appeals from audit events: the appealed decision, the first later non-escalation answering it', () => {
    const appeals = appealsFromAudit(
      [
        { type: 'appeal.received', at: '2026-07-10T00:00:00.000Z', caseId: 'c1', data: { decisionId: 'd1' } },
        // An automated removal: only its action.applied tells the action; the category comes from the answer.
        { type: 'appeal.received', at: '2026-07-11T00:00:00.000Z', caseId: 'c2', data: { decisionId: 'd3' } },
        { type: 'appeal.received', at: '2026-07-12T00:00:00.000Z', caseId: 'c3', data: { decisionId: 'd9' } },
      ],
      [
        { type: 'decision.recorded', at: '2026-07-09T00:00:00.000Z', caseId: 'c1', data: { decisionId: 'd1', action: 'remove', category: 'drugs' } },
        { type: 'action.applied', at: '2026-07-09T00:00:01.000Z', caseId: 'c1', data: { decisionId: 'd1', action: 'remove' } },
        { type: 'decision.recorded', at: '2026-07-10T05:00:00.000Z', caseId: 'c1', data: { decisionId: 'd2', action: 'escalate', category: 'drugs', appealOf: 'd1' } },
        { type: 'decision.recorded', at: '2026-07-10T09:00:00.000Z', caseId: 'c1', data: { decisionId: 'd4', action: 'keep', category: 'drugs', appealOf: 'd1' } },
        { type: 'action.applied', at: '2026-07-10T23:00:00.000Z', caseId: 'c2', data: { decisionId: 'd3', action: 'remove' } },
        { type: 'decision.recorded', at: '2026-07-11T03:00:00.000Z', caseId: 'c2', data: { decisionId: 'd5', action: 'remove', category: 'weapons', appealOf: 'd3' } },
      ],
    );
    expect(appeals).toEqual([
      { receivedAt: '2026-07-10T00:00:00.000Z', category: 'drugs', appealedAction: 'remove', decision: { action: 'keep', decidedAt: '2026-07-10T09:00:00.000Z' } },
      { receivedAt: '2026-07-11T00:00:00.000Z', category: 'weapons', appealedAction: 'remove', decision: { action: 'remove', decidedAt: '2026-07-11T03:00:00.000Z' } },
      // Nothing known of d9: counted, in "other", undecided.
      { receivedAt: '2026-07-12T00:00:00.000Z', category: 'other' },
    ]);
  });
});
