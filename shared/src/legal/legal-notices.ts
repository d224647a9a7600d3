import type { LegalNotice, LegalRequestRecord, NoticeHold } from './legal-record';

/**
 * User notice, pure. Each user whose data was disclosed is owed a notice.
 * It is due when the package is produced, unless a gag order (non-disclosure
 * until a date) holds it until that date, or the request is an emergency,
 * which holds it until legal marks the emergency over. The platform's
 * notifier collects due notices and marks them delivered.
 */

type NoticeInput = Pick<LegalRequestRecord, 'id' | 'type' | 'nonDisclosureUntil' | 'emergency'>;

function holdsOf(r: NoticeInput, now: Date): NoticeHold[] {
  const holds: NoticeHold[] = [];
  if (r.nonDisclosureUntil && Date.parse(r.nonDisclosureUntil) > now.getTime()) holds.push('gag');
  if (r.type === 'emergency' && !r.emergency?.overAt) holds.push('emergency');
  return holds;
}

/** The notices a produced package owes: one per account whose data it holds (`<request id>.<n>`). */
export function noticesForPackage(r: NoticeInput, produced: readonly { targetIndex: number; accountId: string }[], now: Date): LegalNotice[] {
  const holds = holdsOf(r, now);
  return produced.map((p, n) => ({
    id: `${r.id}.${n}`,
    targetIndex: p.targetIndex,
    accountId: p.accountId,
    ...(holds.length > 0 ? { state: 'held' as const, heldBy: holds } : { state: 'due' as const, heldBy: [], dueAt: now.toISOString() }),
  }));
}

/** Held notices whose holds have lapsed (the gag's date passed, the emergency marked over) become due; returns undefined when nothing changes. */
export function releaseNotices(r: NoticeInput & Pick<LegalRequestRecord, 'notices'>, now: Date): LegalNotice[] | undefined {
  const holds = holdsOf(r, now);
  let changed = false;
  const next = r.notices.map((n) => {
    if (n.state !== 'held') return n;
    const still = n.heldBy.filter((h) => holds.includes(h));
    if (still.length === n.heldBy.length) return n;
    changed = true;
    return still.length > 0 ? { ...n, heldBy: still } : { ...n, state: 'due' as const, heldBy: [], dueAt: now.toISOString() };
  });
  return changed ? next : undefined;
}

/** When the next hold lapses by itself (the gag's end), for the delayed job; undefined when none will. */
export function nextNoticeRelease(r: NoticeInput & Pick<LegalRequestRecord, 'notices'>): string | undefined {
  if (!r.notices.some((n) => n.state === 'held' && n.heldBy.includes('gag'))) return undefined;
  return r.nonDisclosureUntil ?? undefined;
}
