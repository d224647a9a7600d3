import { toCsv } from '../export/csv';
import { ValidationError } from '../errors/takedown-error';
import type { DecisionAction, ReporterType } from '../domain/vocabulary';
import { isEeaMemberState } from './member-states';
import type { NoticeOutcome } from './notice-record';
import { median } from '../legal/transparency';

/**
 * The DSA Art. 15(1) figures for a period, computed by a pure function over
 * bounded records (the API reads them from the notices, statements, legal
 * requests and audit indices, and refuses a period holding more than it may
 * read rather than count part of it). No personal data goes in or out.
 */

export const ART15_METHOD = [
  'Period: UTC days, from the first day to the last, both included.',
  'Notices (Art. 15(1)(b)): reports filed through a token by ordinary users and trusted flaggers, received in the period, by the category the reporter gave; ' +
    'trusted flaggers are those whose token carried trusted_flagger standing. Authorities\' reports are orders (below); reports by the platform\'s own detectors and Takedown\'s scans are own-initiative, not notices. ' +
    'Median time to action: hours from receipt to the first decision on the report (any outcome, no action included; 0 when a decision already in force answered it), over the notices decided so far.',
  'Art. 9 orders: reports filed by tokens with authority standing, received in the period, by category and by the member state an admin set for the authority ("unknown" when none was set). ' +
    'Median time to acknowledge: hours from receipt to the acknowledgement (given on intake). Median time to give effect: hours from receipt to the first decision that removed, restricted or labelled the content (0 when one was already in force), over the orders given effect so far.',
  'Art. 10 orders: the legal desk\'s information orders (records and emergency requests; preservation requests are not orders to provide information) received in the period from agencies in EEA states, ' +
    'by the order\'s offence category and the agency\'s state. Median time to acknowledge: receipt to acknowledgement; to give effect: receipt to delivery of the package, over the orders delivered so far.',
  'Own-initiative decisions (Art. 15(1)(c)): statements of reasons with source SOURCE_VOLUNTARY whose decision was taken in the period, by Takedown category; ' +
    'share fully automated: AUTOMATED_DECISION_FULLY; share automated at least partially: FULLY or PARTIALLY.',
  'Appeals (Art. 15(1)(d), Art. 20): complaints received in the period, by the category of the decision appealed. Median time to decide: hours from receipt to the decision on the appeal, over those decided so far. ' +
    'Reversed: a removal or restriction undone (the appeal decision keeps or labels the content), or a keep or label turned into a removal or restriction; the share is of the appeals decided.',
  'Shares are fractions of 1 rounded to 3 places, medians in hours rounded to 1 place; an empty median or share is left blank.',
].join(' ');

/** What the figures read of a notice record. */
export interface Art15Notice {
  reporterType: ReporterType;
  memberState?: string;
  category: string;
  receivedAt: string;
  acknowledgedAt: string;
  decisions: { outcome: NoticeOutcome; decidedAt: string }[];
}

/** What the figures read of a legal desk request. */
export interface Art15LegalOrder {
  type: string;
  agencyCountry: string;
  offenceCategory: string;
  receivedAt: string;
  acknowledgedAt?: string;
  deliveredAt?: string;
}

/** What the figures read of a stored statement of reasons (see the statements contract). */
export interface Art15Statement {
  decidedAt: string;
  source_type: string;
  automated_decision: string;
  takedownCategory: string;
}

/** One complaint: when it came, what it appealed, and the decision on it when there is one. */
export interface Art15Appeal {
  receivedAt: string;
  category: string;
  appealedAction?: DecisionAction;
  decision?: { action: DecisionAction; decidedAt: string };
}

export interface Art15Records {
  notices: readonly Art15Notice[];
  legalOrders: readonly Art15LegalOrder[];
  statements: readonly Art15Statement[];
  appeals: readonly Art15Appeal[];
}

export interface NoticeRow {
  category: string;
  received: number;
  byTrustedFlaggers: number;
  byOthers: number;
  decided: number;
  medianHoursToAction: number | null;
}

export interface OrderRow {
  category: string;
  memberState: string;
  received: number;
  medianHoursToAcknowledge: number | null;
  givenEffect: number;
  medianHoursToGiveEffect: number | null;
}

export interface OwnInitiativeRow {
  category: string;
  decisions: number;
  fullyAutomated: number;
  atLeastPartiallyAutomated: number;
  shareFullyAutomated: number | null;
  shareAtLeastPartiallyAutomated: number | null;
}

export interface AppealRow {
  category: string;
  received: number;
  decided: number;
  medianHoursToDecide: number | null;
  reversed: number;
  shareReversed: number | null;
}

export interface Art15Figures {
  period: string;
  from: string;
  /** Exclusive. */
  to: string;
  notices: NoticeRow[];
  article9Orders: OrderRow[];
  article10Orders: OrderRow[];
  ownInitiative: OwnInitiativeRow[];
  appeals: AppealRow[];
  method: string;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The longest period one report covers. */
export const ART15_MAX_DAYS = 366;

function utcDay(s: string, field: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) throw new ValidationError(`query: /${field} must be a date YYYY-MM-DD`, `/${field}`);
  return d;
}

/**
 * The period's bounds (UTC, `to` exclusive) and its label: `period` a year
 * (2026), a half (2026-H1) or a quarter (2026-Q3); or `from` and `to`, days,
 * both included. A 400 naming the field otherwise.
 */
export function parseArt15Period(q: { period?: string; from?: string; to?: string }): { period: string; from: Date; to: Date } {
  if (q.period !== undefined) {
    if (q.from !== undefined || q.to !== undefined) throw new ValidationError('query: give either /period or /from and /to', '/period');
    const m = /^(2\d{3})(?:-(H[12]|Q[1-4]))?$/.exec(q.period);
    if (!m) throw new ValidationError('query: /period must be a year (2026), a half (2026-H1) or a quarter (2026-Q3)', '/period');
    const year = Number(m[1]);
    const part = m[2];
    const [start, months] = part === undefined ? [0, 12] : part[0] === 'H' ? [(Number(part[1]) - 1) * 6, 6] : [(Number(part[1]) - 1) * 3, 3];
    return { period: q.period, from: new Date(Date.UTC(year, start, 1)), to: new Date(Date.UTC(year, start + months, 1)) };
  }
  if (q.from === undefined || q.to === undefined) throw new ValidationError('query: /period, or both /from and /to, are required', q.from === undefined ? '/from' : '/to');
  const from = utcDay(q.from, 'from');
  const last = utcDay(q.to, 'to');
  if (last < from) throw new ValidationError('query: /to must not be before /from', '/to');
  const to = new Date(last.getTime() + DAY);
  if ((to.getTime() - from.getTime()) / DAY > ART15_MAX_DAYS) throw new ValidationError(`query: the period may span at most ${ART15_MAX_DAYS} days`, '/to');
  return { period: `${q.from}..${q.to}`, from, to };
}

const hoursBetween = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / HOUR;
/** From receipt to action: 0 when the decision answering it was already in force (content decided before the notice came). */
const hoursToAction = (received: string, decided: string) => Math.max(0, hoursBetween(received, decided));
const share = (n: number, of: number): number | null => (of === 0 ? null : Math.round((n / of) * 1000) / 1000);
const RESTRICTING: readonly string[] = ['remove', 'restrict'];
const VISIBLE: readonly string[] = ['keep', 'label'];
const INFORMATION_ORDER_TYPES: readonly string[] = ['records', 'emergency'];

/** True when an appeal decision undid a removal or restriction, or turned a keep or label into one. */
export function isReversal(appealed: DecisionAction | undefined, decided: DecisionAction): boolean {
  if (appealed === undefined) return false;
  return (RESTRICTING.includes(appealed) && VISIBLE.includes(decided)) || (VISIBLE.includes(appealed) && RESTRICTING.includes(decided));
}

function rowsOf<K extends string, T>(map: Map<K, T>): [K, T][] {
  return [...map.entries()].sort(([a], [b]) => a.localeCompare(b));
}

export function aggregateArt15(records: Art15Records, q: { period?: string; from?: string; to?: string }): Art15Figures {
  const { period, from, to } = parseArt15Period(q);
  const inPeriod = (iso: string | undefined) => {
    if (!iso) return false;
    const t = Date.parse(iso);
    return t >= from.getTime() && t < to.getTime();
  };

  // Notices and Art. 9 orders.
  const notices = new Map<string, { received: number; tf: number; others: number; toAction: number[] }>();
  const art9 = new Map<string, { category: string; state: string; received: number; toAck: number[]; toEffect: number[] }>();
  for (const n of records.notices) {
    if (!inPeriod(n.receivedAt)) continue;
    const first = [...n.decisions].sort((a, b) => a.decidedAt.localeCompare(b.decidedAt))[0];
    if (n.reporterType === 'user' || n.reporterType === 'trusted_flagger') {
      const row = notices.get(n.category) ?? notices.set(n.category, { received: 0, tf: 0, others: 0, toAction: [] }).get(n.category)!;
      row.received++;
      if (n.reporterType === 'trusted_flagger') row.tf++;
      else row.others++;
      if (first) row.toAction.push(hoursToAction(n.receivedAt, first.decidedAt));
    } else if (n.reporterType === 'authority') {
      const state = n.memberState ?? 'unknown';
      const key = `${n.category}\u0000${state}`;
      const row = art9.get(key) ?? art9.set(key, { category: n.category, state, received: 0, toAck: [], toEffect: [] }).get(key)!;
      row.received++;
      row.toAck.push(hoursBetween(n.receivedAt, n.acknowledgedAt));
      const effect = n.decisions.filter((d) => d.outcome !== 'no_action').sort((a, b) => a.decidedAt.localeCompare(b.decidedAt))[0];
      if (effect) row.toEffect.push(hoursToAction(n.receivedAt, effect.decidedAt));
    }
  }

  // Art. 10 orders.
  const art10 = new Map<string, { category: string; state: string; received: number; toAck: number[]; toEffect: number[] }>();
  for (const o of records.legalOrders) {
    if (!inPeriod(o.receivedAt) || !INFORMATION_ORDER_TYPES.includes(o.type) || !isEeaMemberState(o.agencyCountry)) continue;
    const key = `${o.offenceCategory}\u0000${o.agencyCountry}`;
    const row = art10.get(key) ?? art10.set(key, { category: o.offenceCategory, state: o.agencyCountry, received: 0, toAck: [], toEffect: [] }).get(key)!;
    row.received++;
    if (o.acknowledgedAt) row.toAck.push(hoursBetween(o.receivedAt, o.acknowledgedAt));
    if (o.deliveredAt) row.toEffect.push(hoursBetween(o.receivedAt, o.deliveredAt));
  }

  // Own-initiative decisions.
  const own = new Map<string, { decisions: number; fully: number; partly: number }>();
  for (const s of records.statements) {
    if (s.source_type !== 'SOURCE_VOLUNTARY' || !inPeriod(s.decidedAt)) continue;
    const row = own.get(s.takedownCategory) ?? own.set(s.takedownCategory, { decisions: 0, fully: 0, partly: 0 }).get(s.takedownCategory)!;
    row.decisions++;
    if (s.automated_decision === 'AUTOMATED_DECISION_FULLY') row.fully++;
    else if (s.automated_decision === 'AUTOMATED_DECISION_PARTIALLY') row.partly++;
  }

  // Appeals.
  const appeals = new Map<string, { received: number; decided: number; toDecide: number[]; reversed: number }>();
  for (const a of records.appeals) {
    if (!inPeriod(a.receivedAt)) continue;
    const row = appeals.get(a.category) ?? appeals.set(a.category, { received: 0, decided: 0, toDecide: [], reversed: 0 }).get(a.category)!;
    row.received++;
    if (!a.decision) continue;
    row.decided++;
    row.toDecide.push(hoursBetween(a.receivedAt, a.decision.decidedAt));
    if (isReversal(a.appealedAction, a.decision.action)) row.reversed++;
  }

  const orderRows = (m: typeof art9): OrderRow[] =>
    rowsOf(m).map(([, r]) => ({
      category: r.category,
      memberState: r.state,
      received: r.received,
      medianHoursToAcknowledge: median(r.toAck),
      givenEffect: r.toEffect.length,
      medianHoursToGiveEffect: median(r.toEffect),
    }));

  return {
    period,
    from: from.toISOString(),
    to: to.toISOString(),
    notices: rowsOf(notices).map(([category, r]) => ({ category, received: r.received, byTrustedFlaggers: r.tf, byOthers: r.others, decided: r.toAction.length, medianHoursToAction: median(r.toAction) })),
    article9Orders: orderRows(art9),
    article10Orders: orderRows(art10),
    ownInitiative: rowsOf(own).map(([category, r]) => ({
      category,
      decisions: r.decisions,
      fullyAutomated: r.fully,
      atLeastPartiallyAutomated: r.fully + r.partly,
      shareFullyAutomated: share(r.fully, r.decisions),
      shareAtLeastPartiallyAutomated: share(r.fully + r.partly, r.decisions),
    })),
    appeals: rowsOf(appeals).map(([category, r]) => ({ category, received: r.received, decided: r.decided, medianHoursToDecide: median(r.toDecide), reversed: r.reversed, shareReversed: share(r.reversed, r.decided) })),
    method: ART15_METHOD,
  };
}

/** One line per figure: section, category, member state (orders), measure, value. */
export const ART15_CSV_HEADER = ['period', 'section', 'category', 'member_state', 'measure', 'value'] as const;

export function art15Csv(f: Art15Figures): string {
  const rows: (string | number)[][] = [];
  const put = (section: string, category: string, state: string, measures: Record<string, number | null>) => {
    for (const [measure, value] of Object.entries(measures)) rows.push([f.period, section, category, state, measure, value ?? '']);
  };
  for (const r of f.notices) put('notices', r.category, '', { received: r.received, by_trusted_flaggers: r.byTrustedFlaggers, by_others: r.byOthers, decided: r.decided, median_hours_to_action: r.medianHoursToAction });
  for (const [section, list] of [['article9_orders', f.article9Orders], ['article10_orders', f.article10Orders]] as const) {
    for (const r of list) put(section, r.category, r.memberState, { received: r.received, median_hours_to_acknowledge: r.medianHoursToAcknowledge, given_effect: r.givenEffect, median_hours_to_give_effect: r.medianHoursToGiveEffect });
  }
  for (const r of f.ownInitiative) {
    put('own_initiative', r.category, '', { decisions: r.decisions, fully_automated: r.fullyAutomated, at_least_partially_automated: r.atLeastPartiallyAutomated, share_fully_automated: r.shareFullyAutomated, share_at_least_partially_automated: r.shareAtLeastPartiallyAutomated });
  }
  for (const r of f.appeals) put('appeals', r.category, '', { received: r.received, decided: r.decided, median_hours_to_decide: r.medianHoursToDecide, reversed: r.reversed, share_reversed: r.shareReversed });
  return toCsv(ART15_CSV_HEADER, rows);
}
