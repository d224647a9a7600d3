import { nextNoticeRelease, noticesForPackage, releaseNotices } from './legal-notices';

const now = new Date('2026-11-30T10:00:00.000Z');
const later = new Date('2026-12-31T10:00:00.000Z');
const produced = [{ targetIndex: 0, accountId: 'acc-1' }, { targetIndex: 2, accountId: 'acc-3' }];

describe('user notices', () => {
  it('are due at once without a gag order', () => {
    const n = noticesForPackage({ id: 'lr-1', type: 'records', nonDisclosureUntil: null }, produced, now);
    expect(n).toEqual([
      { id: 'lr-1.0', targetIndex: 0, accountId: 'acc-1', state: 'due', heldBy: [], dueAt: now.toISOString() },
      { id: 'lr-1.1', targetIndex: 2, accountId: 'acc-3', state: 'due', heldBy: [], dueAt: now.toISOString() },
    ]);
  });

  it('wait for the gag order to lapse, then become due', () => {
    const r = { id: 'lr-2', type: 'records' as const, nonDisclosureUntil: '2026-12-15T00:00:00.000Z' };
    const notices = noticesForPackage(r, produced, now);
    expect(notices.map((n) => [n.state, n.heldBy])).toEqual([['held', ['gag']], ['held', ['gag']]]);
    expect(nextNoticeRelease({ ...r, notices })).toBe('2026-12-15T00:00:00.000Z');
    expect(releaseNotices({ ...r, notices }, now)).toBeUndefined();
    const released = releaseNotices({ ...r, notices }, later);
    expect(released?.map((n) => [n.state, n.dueAt])).toEqual([['due', later.toISOString()], ['due', later.toISOString()]]);
    expect(nextNoticeRelease({ ...r, notices: released! })).toBeUndefined();
  });

  it('a gag order already lapsed holds nothing', () => {
    expect(noticesForPackage({ id: 'lr-3', type: 'records', nonDisclosureUntil: '2026-01-01T00:00:00.000Z' }, produced, now)[0]!.state).toBe('due');
  });

  it('an emergency holds its notices until legal marks it over, and a gag still holds them after', () => {
    const r = { id: 'lr-4', type: 'emergency' as const, nonDisclosureUntil: '2026-12-15T00:00:00.000Z', emergency: { description: 'x' } };
    const notices = noticesForPackage(r, produced, now);
    expect(notices[0]!.heldBy).toEqual(['gag', 'emergency']);
    const over = { ...r, emergency: { description: 'x', overAt: now.toISOString() } };
    const gagOnly = releaseNotices({ ...over, notices }, now)!;
    expect(gagOnly.map((n) => [n.state, n.heldBy])).toEqual([['held', ['gag']], ['held', ['gag']]]);
    expect(releaseNotices({ ...over, notices: gagOnly }, later)!.every((n) => n.state === 'due')).toBe(true);
    // Still an emergency: the gag lapsing alone does not send the notice.
    const stillOn = releaseNotices({ ...r, notices }, later)!;
    expect(stillOn.map((n) => [n.state, n.heldBy])).toEqual([['held', ['emergency']], ['held', ['emergency']]]);
    expect(nextNoticeRelease({ ...r, notices: stillOn })).toBeUndefined();
  });

  it('leaves due and delivered notices alone', () => {
    const r = { id: 'lr-5', type: 'records' as const, nonDisclosureUntil: null };
    const notices = [{ id: 'lr-5.0', targetIndex: 0, accountId: 'acc-1', state: 'delivered' as const, heldBy: [], deliveredAt: now.toISOString(), deliveredBy: 'notifier' }];
    expect(releaseNotices({ ...r, notices }, later)).toBeUndefined();
  });
});
