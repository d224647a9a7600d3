import { SYSTEM_FILER, type ReportJob } from '../jobs/payloads';
import { decisionNoticeFor, noticeFromReport, referenceOf, reportsOwedNotice, withDecisionNotice } from './notice-record';

const report = (o: Partial<ReportJob> = {}): ReportJob => ({
  reportId: 'tok1.mine-1',
  receivedAt: '2026-07-01T00:00:00.000Z',
  content: { id: 'post-1', type: 'post', text: 'words', authorId: 'author-1' },
  reporter: { id: 'reporter-7', type: 'trusted_flagger', name: 'Hotline', memberState: 'NL' },
  filedBy: { tokenId: 'tok1', name: 'hotline-token', actorId: 'hotline' },
  reason: 'drugs',
  ...o,
});
const decision = { id: 'd1', action: 'remove' as const, decidedAt: '2026-07-01T02:00:00.000Z', automated: false };
const now = new Date('2026-07-01T02:00:01.000Z');

describe('notice records', () => {
  it('keeps ids, standing, state, category and times, and nothing personal', () => {
    const n = noticeFromReport(report(), 'case-1');
    expect(n).toEqual({
      reportId: 'tok1.mine-1',
      reference: 'mine-1',
      tokenId: 'tok1',
      reporterType: 'trusted_flagger',
      memberState: 'NL',
      category: 'drugs',
      contentId: 'post-1',
      caseId: 'case-1',
      receivedAt: '2026-07-01T00:00:00.000Z',
      acknowledgedAt: '2026-07-01T00:00:00.000Z',
      decisions: [],
    });
    expect(JSON.stringify(n)).not.toMatch(/Hotline|reporter-7|author-1|words|hotline/);
  });

  it('makes none for Takedown\'s scans or reports without a filer', () => {
    expect(noticeFromReport(report({ filedBy: SYSTEM_FILER }), 'case-1')).toBeUndefined();
    const { filedBy: _none, ...unfiled } = report();
    expect(noticeFromReport(unfiled, 'case-1')).toBeUndefined();
    expect(reportsOwedNotice([report({ filedBy: SYSTEM_FILER })], decision.decidedAt)).toEqual([]);
  });

  it('gives the reference the client knows', () => {
    expect(referenceOf('tok1.mine-1', 'tok1')).toBe('mine-1');
    expect(referenceOf('r_abc', 'tok1')).toBe('r_abc');
  });

  it('owes a notice to reports received up to the decision, not after', () => {
    const later = report({ reportId: 'tok1.later', receivedAt: '2026-07-01T03:00:00.000Z' });
    expect(reportsOwedNotice([report(), later], decision.decidedAt).map((r) => r.reportId)).toEqual(['tok1.mine-1']);
  });

  it('maps outcomes, names the statement when one is owed, and writes none for an escalation', () => {
    expect(decisionNoticeFor(decision, now)).toMatchObject({ outcome: 'removed', statementPuid: 'd1', automated: false });
    expect(decisionNoticeFor({ ...decision, action: 'restrict' }, now)?.outcome).toBe('restricted');
    expect(decisionNoticeFor({ ...decision, action: 'label' }, now)?.outcome).toBe('labelled');
    const kept = decisionNoticeFor({ ...decision, action: 'keep' }, now);
    expect(kept?.outcome).toBe('no_action');
    expect(kept).not.toHaveProperty('statementPuid');
    expect(decisionNoticeFor({ ...decision, action: 'escalate' }, now)).toBeUndefined();
    expect(decisionNoticeFor(decision, now)?.redress).toMatch(/6 months/);
  });

  it('adds the first decision, a decision on appeal after it, and never the same decision twice', () => {
    const base = noticeFromReport(report(), 'case-1')!;
    const first = decisionNoticeFor(decision, now)!;
    const once = withDecisionNotice(base, first)!;
    expect(once.decisions).toEqual([first]);
    expect(withDecisionNotice(once, first)).toBeUndefined();
    // A later decision that is not on appeal does not answer the report again.
    expect(withDecisionNotice(once, decisionNoticeFor({ ...decision, id: 'd2', action: 'keep' }, now)!)).toBeUndefined();
    const onAppeal = decisionNoticeFor({ ...decision, id: 'd3', action: 'keep', appealOf: 'd1' }, now)!;
    expect(withDecisionNotice(once, onAppeal)?.decisions.map((d) => d.decisionId)).toEqual(['d1', 'd3']);
    expect(onAppeal.redress).not.toMatch(/6 months/);
  });
});
