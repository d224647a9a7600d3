import { aggregateArt15, appealsFromAudit } from '@takedown/shared';

/**
 * Review (issue 19): an appeal counts under the category of the decision
 * appealed. An automated removal has no decision.recorded event, only its
 * action.applied: that event must carry the category, or the appeal of an
 * automated drugs removal is counted under "other" until (and unless) a
 * moderator answers it, and then under whatever category the answer gives.
 */
describe('Art. 15 appeals of automated decisions', () => {
  const events = [
    { type: 'action.applied', at: '2026-07-10T23:00:00.000Z', caseId: 'c2', data: { decisionId: 'd3', action: 'remove', category: 'drugs' } },
  ];

  it('an undecided appeal of an automated removal counts under the removal\'s category', () => {
    const appeals = appealsFromAudit([{ type: 'appeal.received', at: '2026-07-11T00:00:00.000Z', caseId: 'c2', data: { decisionId: 'd3' } }], events);
    expect(appeals).toEqual([{ receivedAt: '2026-07-11T00:00:00.000Z', category: 'drugs', appealedAction: 'remove' }]);
  });

  it('a decided one too, whatever category the answer gives', () => {
    const appeals = appealsFromAudit(
      [{ type: 'appeal.received', at: '2026-07-11T00:00:00.000Z', caseId: 'c2', data: { decisionId: 'd3' } }],
      [...events, { type: 'decision.recorded', at: '2026-07-11T03:00:00.000Z', caseId: 'c2', data: { decisionId: 'd5', action: 'keep', category: 'other', appealOf: 'd3' } }],
    );
    const f = aggregateArt15({ notices: [], legalOrders: [], statements: [], appeals }, { period: '2026-Q3' });
    expect(f.appeals).toEqual([{ category: 'drugs', received: 1, decided: 1, medianHoursToDecide: 3, reversed: 1, shareReversed: 1 }]);
  });
});

/**
 * A notice or order filed on content already decided is answered by the
 * decision in force (triage writes its decision notice), whose decidedAt is
 * before the receipt: its time to action is 0 hours, never negative.
 */
describe('Art. 15 times for notices on content already decided', () => {
  it('a notice and an order answered by an earlier decision count 0 hours, not negative ones', () => {
    const f = aggregateArt15(
      {
        notices: [
          { reporterType: 'user', category: 'drugs', receivedAt: '2026-07-10T10:00:00.000Z', acknowledgedAt: '2026-07-10T10:00:00.000Z', decisions: [{ outcome: 'removed', decidedAt: '2026-07-09T10:00:00.000Z' }] },
          { reporterType: 'authority', memberState: 'DE', category: 'drugs', receivedAt: '2026-07-10T10:00:00.000Z', acknowledgedAt: '2026-07-10T10:00:00.000Z', decisions: [{ outcome: 'removed', decidedAt: '2026-07-08T10:00:00.000Z' }] },
        ],
        legalOrders: [],
        statements: [],
        appeals: [],
      },
      { period: '2026-Q3' },
    );
    expect(f.notices[0]?.medianHoursToAction).toBe(0);
    expect(f.article9Orders[0]?.medianHoursToGiveEffect).toBe(0);
  });
});
