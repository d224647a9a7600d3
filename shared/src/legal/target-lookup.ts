import type { TargetLookup } from './legal-record';
import type { SubscriberSource } from './subscriber-source';
import type { SubscriberTarget } from './subscriber-target';

/**
 * What the desk asks the subscriber source at intake: which accounts each
 * target names, the country of each account's phone number (for the
 * transparency report; the number itself is not kept), and the span of
 * sign-ins held for those accounts (`to` exclusive; null when none is).
 */
export async function lookUpTargets(source: SubscriberSource, targets: readonly SubscriberTarget[], now: Date): Promise<{ lookups: TargetLookup[]; dataHeld: { from: string; to: string } | null }> {
  const checkedAt = now.toISOString();
  const answers = await source.resolveTargets(targets);
  const accountIds = [...new Set(answers.flatMap((a) => (a.status === 'resolved' ? a.accountIds : [])))].sort();
  const [phones, held] = accountIds.length > 0 ? await Promise.all([source.phoneOf(accountIds), source.heldRange(accountIds)]) : [[], undefined];
  const country = new Map(phones.map((p) => [p.accountId, p.phoneCountry]));
  const lookups = answers.map((a): TargetLookup => {
    if (a.status === 'resolved' && a.accountIds.length > 0) {
      return { status: 'resolved', resolved: true, accounts: a.accountIds.map((accountId) => ({ accountId, ...(country.get(accountId) ? { phoneCountry: country.get(accountId) as string } : {}) })), checkedAt };
    }
    return { status: a.status === 'invalid' ? 'invalid' : 'not_found', resolved: false, accounts: [], ...(a.status === 'invalid' ? { reason: a.reason } : {}), checkedAt };
  });
  return { lookups, dataHeld: held ? { from: held.earliest, to: new Date(Date.parse(held.latest) + 1).toISOString() } : null };
}
