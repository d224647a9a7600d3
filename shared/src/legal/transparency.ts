import { toCsv } from '../export/csv';
import { ValidationError } from '../errors/takedown-error';
import type { LegalRequestRecord } from './legal-record';

/**
 * The quarterly transparency report on law-enforcement requests, computed
 * by a pure function over request records (the API feeds it a bounded
 * query of the requests received in the quarter).
 *
 * Method:
 * - A request belongs to the quarter it was received in (UTC), whatever
 *   happened to it later; its figures are its state when the report is read.
 * - A request counts in the row of every country among its targets' phone
 *   numbers (`phoneCountry` of the accounts its targets resolved to); a
 *   request none of whose targets resolved, and accounts without a phone
 *   number, count in the `other` row.
 * - fulfilled: a package was produced holding data of at least one account
 *   of that country. users affected: distinct accounts of that country whose
 *   data was produced. rejected, emergency (type emergency), with a gag order
 *   (a non-disclosure date was given): requests. Median hours from receipt
 *   to acknowledgement, and to the package for fulfilled requests.
 * - Small cells: a country with fewer than 5 users affected is folded into
 *   the `other` row (its requests counted once, its users and medians pooled).
 *   When `other` itself has fewer than 5 users affected, each of its counts
 *   from 1 to 4 is shown as "<5" and its medians are left out. There is no
 *   total row: with one, `other` could be worked out by subtraction.
 */

export const SMALL_CELL = 5;
/** The key of accounts without a phone number, and of requests none of whose targets matched an account: the other row. */
const NO_COUNTRY = '';
export const OTHER_ROW = 'other';

export type TransparencyRecord = Pick<LegalRequestRecord, 'id' | 'type' | 'state' | 'nonDisclosureUntil' | 'times'> & {
  targets: readonly Pick<LegalRequestRecord['targets'][number], 'resolution' | 'decision'>[];
};

export type Cell = number | '<5';

export interface TransparencyRow {
  country: string;
  requestsReceived: Cell;
  requestsFulfilled: Cell;
  usersAffected: Cell;
  rejected: Cell;
  emergency: Cell;
  withGagOrder: Cell;
  medianHoursToAcknowledge: number | null;
  medianHoursToFulfil: number | null;
}

export interface TransparencyReport {
  period: string;
  from: string;
  /** Exclusive. */
  to: string;
  rows: TransparencyRow[];
  method: string;
}

export const TRANSPARENCY_METHOD =
  'Requests received in the quarter (UTC), by country of the affected accounts’ phone numbers; a request counts once in each of its countries. ' +
  'fulfilled = some data produced for that country; users affected = distinct accounts whose data was produced. ' +
  `Countries with fewer than ${SMALL_CELL} users affected are folded into "${OTHER_ROW}" (with requests whose targets matched no account); ` +
  `when "${OTHER_ROW}" still has fewer than ${SMALL_CELL}, its counts from 1 to 4 read "<5" and its medians are left out. No total row.`;

/** `2026-Q3` → the quarter's bounds (UTC, `to` exclusive); a 400 naming `/period` otherwise. */
export function parseQuarter(period: string): { from: Date; to: Date } {
  const m = /^(\d{4})-Q([1-4])$/.exec(period);
  if (!m) throw new ValidationError('query: /period must be a quarter such as 2026-Q3', '/period');
  const year = Number(m[1]);
  const q = Number(m[2]);
  return { from: new Date(Date.UTC(year, (q - 1) * 3, 1)), to: new Date(Date.UTC(year, q * 3, 1)) };
}

interface Tally {
  requests: Set<string>;
  fulfilled: Set<string>;
  rejected: Set<string>;
  emergency: Set<string>;
  gag: Set<string>;
  users: Set<string>;
}

const tally = (): Tally => ({ requests: new Set(), fulfilled: new Set(), rejected: new Set(), emergency: new Set(), gag: new Set(), users: new Set() });

function merge(into: Tally, from: Tally): void {
  for (const k of Object.keys(into) as (keyof Tally)[]) for (const v of from[k]) into[k].add(v);
}

const HOUR = 3600_000;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const m = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return Math.round(m * 10) / 10;
}

export function aggregateTransparency(records: readonly TransparencyRecord[], period: string): TransparencyReport {
  const { from, to } = parseQuarter(period);
  const byCountry = new Map<string, Tally>();
  const unresolved = tally();
  const ackHours = new Map<string, number>();
  const fulfilHours = new Map<string, number>();

  for (const r of records) {
    const received = Date.parse(r.times.receivedAt);
    if (!(received >= from.getTime() && received < to.getTime())) continue;
    if (r.times.acknowledgedAt) ackHours.set(r.id, (Date.parse(r.times.acknowledgedAt) - received) / HOUR);
    const countries = new Set<string>();
    const produced = new Map<string, Set<string>>();
    for (const t of r.targets) {
      if (!t.resolution?.resolved) continue;
      for (const a of t.resolution.accounts) {
        // An account without a phone number has no country: it counts in the other row.
        const c = a.phoneCountry ?? NO_COUNTRY;
        countries.add(c);
        if (r.times.packageProducedAt && t.decision?.produce) {
          if (!produced.has(c)) produced.set(c, new Set());
          produced.get(c)!.add(a.accountId);
        }
      }
    }
    if (produced.size > 0 && r.times.packageProducedAt) fulfilHours.set(r.id, (Date.parse(r.times.packageProducedAt) - received) / HOUR);
    const rowCountries = countries.size > 0 ? [...countries] : [NO_COUNTRY];
    const rows = rowCountries.map((c) => (c === NO_COUNTRY ? unresolved : (byCountry.get(c) ?? byCountry.set(c, tally()).get(c)!)));
    rows.forEach((t, i) => {
      t.requests.add(r.id);
      if (r.state === 'rejected') t.rejected.add(r.id);
      if (r.type === 'emergency') t.emergency.add(r.id);
      if (r.nonDisclosureUntil) t.gag.add(r.id);
      const accounts = produced.get(rowCountries[i] as string);
      if (accounts && accounts.size > 0) {
        t.fulfilled.add(r.id);
        for (const a of accounts) t.users.add(a);
      }
    });
  }

  const other = tally();
  merge(other, unresolved);
  const shown: [string, Tally][] = [];
  for (const [country, t] of [...byCountry.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (t.users.size < SMALL_CELL) merge(other, t);
    else shown.push([country, t]);
  }

  const row = (country: string, t: Tally, small: boolean): TransparencyRow => {
    const cell = (n: number): Cell => (small && n > 0 && n < SMALL_CELL ? '<5' : n);
    return {
      country,
      requestsReceived: cell(t.requests.size),
      requestsFulfilled: cell(t.fulfilled.size),
      usersAffected: cell(t.users.size),
      rejected: cell(t.rejected.size),
      emergency: cell(t.emergency.size),
      withGagOrder: cell(t.gag.size),
      medianHoursToAcknowledge: small ? null : median([...t.requests].flatMap((id) => (ackHours.has(id) ? [ackHours.get(id)!] : []))),
      medianHoursToFulfil: small ? null : median([...t.fulfilled].flatMap((id) => (fulfilHours.has(id) ? [fulfilHours.get(id)!] : []))),
    };
  };
  const rows = shown.map(([c, t]) => row(c, t, false));
  if (other.requests.size > 0) rows.push(row(OTHER_ROW, other, other.users.size < SMALL_CELL));
  return { period, from: from.toISOString(), to: to.toISOString(), rows, method: TRANSPARENCY_METHOD };
}

export const TRANSPARENCY_CSV_HEADER = [
  'period',
  'country',
  'requests_received',
  'requests_fulfilled',
  'users_affected',
  'rejected',
  'emergency',
  'with_gag_order',
  'median_hours_to_acknowledge',
  'median_hours_to_fulfil',
] as const;

export function transparencyCsv(report: TransparencyReport): string {
  return toCsv(
    TRANSPARENCY_CSV_HEADER,
    report.rows.map((r) => [
      report.period,
      r.country,
      r.requestsReceived,
      r.requestsFulfilled,
      r.usersAffected,
      r.rejected,
      r.emergency,
      r.withGagOrder,
      r.medianHoursToAcknowledge ?? '',
      r.medianHoursToFulfil ?? '',
    ]),
  );
}
