import type { DecisionAction } from '../domain/vocabulary';
import type { LegalRequestRecord } from '../legal/legal-record';
import type { Art15Appeal, Art15LegalOrder } from './art15-figures';

/**
 * Pure shapers from stored records to the Art. 15 inputs, so the reader that
 * fetches them stays plain I/O and the shaping is unit-tested.
 */

/** An audit event as the figures read it (from the audit index's `_source`). */
export interface Art15AuditEvent {
  type: string;
  at: string;
  caseId?: string;
  data?: Record<string, unknown>;
}

/** Audit event types the appeals figures read. */
export const ART15_APPEAL_EVENT = 'appeal.received';
export const ART15_DECISION_EVENTS = ['decision.recorded', 'action.applied'] as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Complaints (`appeal.received`, naming the decision appealed) with what
 * they appealed and how they were decided, from the audit events of their
 * cases: `decision.recorded` gives a moderator's decision (its action,
 * category, and `appealOf` on an appeal decision), `action.applied` the
 * action of any applied decision (automated ones included). An escalation
 * is not the decision on an appeal; the first later decision is.
 */
export function appealsFromAudit(appealEvents: readonly Art15AuditEvent[], caseEvents: readonly Art15AuditEvent[]): Art15Appeal[] {
  const actionOf = new Map<string, DecisionAction>();
  const categoryOf = new Map<string, string>();
  const answers = new Map<string, { action: DecisionAction; decidedAt: string; category?: string }[]>();
  for (const e of caseEvents) {
    const id = str(e.data?.['decisionId']);
    const action = str(e.data?.['action']) as DecisionAction | undefined;
    if (!id || !action) continue;
    if (!actionOf.has(id)) actionOf.set(id, action);
    // decision.recorded names a moderator decision's category; action.applied names every applied decision's (automated ones included).
    const category = str(e.data?.['category']);
    if (category && (e.type === 'decision.recorded' || !categoryOf.has(id))) categoryOf.set(id, category);
    if (e.type !== 'decision.recorded') continue;
    const appealOf = str(e.data?.['appealOf']);
    if (appealOf && action !== 'escalate') {
      const list = answers.get(appealOf) ?? answers.set(appealOf, []).get(appealOf)!;
      list.push({ action, decidedAt: e.at, ...(category ? { category } : {}) });
    }
  }
  const out: Art15Appeal[] = [];
  for (const a of appealEvents) {
    if (a.type !== ART15_APPEAL_EVENT) continue;
    const appealed = str(a.data?.['decisionId']);
    const answer = appealed ? (answers.get(appealed) ?? []).filter((x) => x.decidedAt >= a.at).sort((x, y) => x.decidedAt.localeCompare(y.decidedAt))[0] : undefined;
    const appealedAction = appealed ? actionOf.get(appealed) : undefined;
    out.push({
      receivedAt: a.at,
      category: (appealed ? categoryOf.get(appealed) : undefined) ?? answer?.category ?? 'other',
      ...(appealedAction ? { appealedAction } : {}),
      ...(answer ? { decision: { action: answer.action, decidedAt: answer.decidedAt } } : {}),
    });
  }
  return out;
}

/** The fields of a legal desk request the figures read. */
export const ART15_LEGAL_SOURCE = ['id', 'type', 'agency.country', 'offenceCategory', 'times.receivedAt', 'times.acknowledgedAt', 'times.deliveredAt'];

export function legalOrderOf(r: Pick<LegalRequestRecord, 'type' | 'offenceCategory'> & { agency: Pick<LegalRequestRecord['agency'], 'country'>; times: Pick<LegalRequestRecord['times'], 'receivedAt' | 'acknowledgedAt' | 'deliveredAt'> }): Art15LegalOrder {
  return {
    type: r.type,
    agencyCountry: r.agency.country,
    offenceCategory: r.offenceCategory,
    receivedAt: r.times.receivedAt,
    ...(r.times.acknowledgedAt ? { acknowledgedAt: r.times.acknowledgedAt } : {}),
    ...(r.times.deliveredAt ? { deliveredAt: r.times.deliveredAt } : {}),
  };
}
