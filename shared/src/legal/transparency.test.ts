import { parseCsv } from '../export/csv';
import { aggregateTransparency, median, parseQuarter, transparencyCsv, type TransparencyRecord } from './transparency';

const H = 3600_000;
const at = (iso: string, plusHours = 0) => new Date(Date.parse(iso) + plusHours * H).toISOString();

/** One request: targets as [accountId | undefined (unresolved), phoneCountry, produced]. */
function req(
  id: string,
  o: { type?: TransparencyRecord['type']; state?: TransparencyRecord['state']; received: string; ack: number; pkg?: number; gag?: boolean; targets: [string | undefined, string | undefined, boolean][] },
): TransparencyRecord {
  return {
    id,
    type: o.type ?? 'records',
    state: o.state ?? (o.pkg !== undefined ? 'package_produced' : 'rejected'),
    nonDisclosureUntil: o.gag ? '2027-01-01T00:00:00.000Z' : null,
    times: { receivedAt: o.received, acknowledgedAt: at(o.received, o.ack), ...(o.pkg !== undefined ? { packageProducedAt: at(o.received, o.pkg) } : {}) },
    targets: o.targets.map(([accountId, phoneCountry, produce]) => ({
      resolution: accountId
        ? { status: 'resolved' as const, resolved: true, accounts: [{ accountId, ...(phoneCountry ? { phoneCountry } : {}) }], checkedAt: o.received }
        : { status: 'not_found' as const, resolved: false, accounts: [], checkedAt: o.received },
      decision: { produce, by: 'bea', at: o.received },
    })),
  };
}

/** The fixture, with every figure below worked out by hand. */
const FIXTURE: TransparencyRecord[] = [
  req('R1', { received: '2026-07-01T00:00:00.000Z', ack: 1, pkg: 24, gag: true, targets: [['a1', 'DE', true], ['a2', 'DE', true], ['a3', 'DE', true]] }),
  req('R2', { state: 'delivered', received: '2026-07-10T00:00:00.000Z', ack: 2, pkg: 48, targets: [['a4', 'DE', true], ['a5', 'DE', true], ['a6', 'DE', false]] }),
  req('R3', { type: 'emergency', received: '2026-08-01T00:00:00.000Z', ack: 0.5, pkg: 3, targets: [['a7', 'DE', true], ['f1', 'FR', true]] }),
  req('R4', { received: '2026-08-02T00:00:00.000Z', ack: 4, pkg: 10, targets: [['f2', 'FR', true], ['f3', 'FR', true], ['f4', 'FR', true], ['f5', 'FR', true]] }),
  req('R5', { received: '2026-08-03T00:00:00.000Z', ack: 1, pkg: 5, gag: true, targets: [['i1', 'IT', true], ['i2', 'IT', true]] }),
  req('R6', { received: '2026-08-04T00:00:00.000Z', ack: 3, targets: [['e1', 'ES', false]] }),
  req('R7', { received: '2026-08-05T00:00:00.000Z', ack: 1, targets: [[undefined, undefined, false]] }),
  // Received a minute before the quarter: not in it.
  req('R8', { received: '2026-06-30T23:59:00.000Z', ack: 1, pkg: 2, targets: [['a9', 'DE', true]] }),
  // a1 again: users are distinct accounts.
  req('R9', { received: '2026-09-01T00:00:00.000Z', ack: 6, pkg: 30, targets: [['a1', 'DE', true]] }),
  // Received at the quarter's end: the next quarter's.
  req('R10', { received: '2026-10-01T00:00:00.000Z', ack: 1, pkg: 2, targets: [['f9', 'FR', true]] }),
];

describe('transparency report', () => {
  it('parses quarters and refuses anything else naming /period', () => {
    expect(parseQuarter('2026-Q3')).toEqual({ from: new Date('2026-07-01T00:00:00.000Z'), to: new Date('2026-10-01T00:00:00.000Z') });
    expect(parseQuarter('2026-Q4').to).toEqual(new Date('2027-01-01T00:00:00.000Z'));
    for (const bad of ['2026-Q5', '2026Q3', '2026-q3', '', '2026-Q3x']) expect(() => parseQuarter(bad)).toThrow(expect.objectContaining({ field: '/period' }));
  });

  it('takes medians of odd and even counts', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([6, 0.5, 2, 1])).toBe(1.5);
  });

  it('counts the hand-computed fixture', () => {
    const report = aggregateTransparency(FIXTURE, '2026-Q3');
    expect(report.from).toBe('2026-07-01T00:00:00.000Z');
    expect(report.rows).toEqual([
      // R1 R2 R3 R9; users a1–a5, a7 (a6 withheld, a1 twice); ack 0.5 1 2 6; fulfil 3 24 30 48.
      { country: 'DE', requestsReceived: 4, requestsFulfilled: 4, usersAffected: 6, rejected: 0, emergency: 1, withGagOrder: 1, medianHoursToAcknowledge: 1.5, medianHoursToFulfil: 27 },
      // R3 R4; users f1–f5; ack 0.5 4; fulfil 3 10.
      { country: 'FR', requestsReceived: 2, requestsFulfilled: 2, usersAffected: 5, rejected: 0, emergency: 1, withGagOrder: 0, medianHoursToAcknowledge: 2.3, medianHoursToFulfil: 6.5 },
      // IT (2 users, R5), ES (0 users, R6 rejected), R7 (nothing resolved, rejected): 3 requests, 1 fulfilled, 2 users, 2 rejected, 1 gag.
      { country: 'other', requestsReceived: '<5', requestsFulfilled: '<5', usersAffected: '<5', rejected: '<5', emergency: 0, withGagOrder: '<5', medianHoursToAcknowledge: null, medianHoursToFulfil: null },
    ]);
  });

  it('shows the other row in figures once it reaches 5 users, counting a request of two folded countries once', () => {
    const records = [
      req('S1', { received: '2026-07-02T00:00:00.000Z', ack: 2, pkg: 10, targets: [['p1', 'PL', true], ['p2', 'PL', true], ['c1', 'CZ', true]] }),
      req('S2', { received: '2026-07-03T00:00:00.000Z', ack: 4, pkg: 20, targets: [['c2', 'CZ', true], ['n1', 'NL', true]] }),
      req('S3', { received: '2026-07-04T00:00:00.000Z', ack: 1, targets: [['n2', 'NL', false]] }),
    ];
    expect(aggregateTransparency(records, '2026-Q3').rows).toEqual([
      { country: 'other', requestsReceived: 3, requestsFulfilled: 2, usersAffected: 5, rejected: 1, emergency: 0, withGagOrder: 0, medianHoursToAcknowledge: 2, medianHoursToFulfil: 15 },
    ]);
  });

  it('is empty for a quarter without requests', () => {
    expect(aggregateTransparency(FIXTURE, '2025-Q1').rows).toEqual([]);
  });

  it('writes the same figures as CSV', () => {
    const csv = transparencyCsv(aggregateTransparency(FIXTURE, '2026-Q3'));
    const rows = parseCsv(csv).map((r) => r.cells);
    expect(rows[0]).toEqual(['period', 'country', 'requests_received', 'requests_fulfilled', 'users_affected', 'rejected', 'emergency', 'with_gag_order', 'median_hours_to_acknowledge', 'median_hours_to_fulfil']);
    expect(rows[1]).toEqual(['2026-Q3', 'DE', '4', '4', '6', '0', '1', '1', '1.5', '27']);
    expect(rows[3]).toEqual(['2026-Q3', 'other', '<5', '<5', '<5', '<5', '0', '<5', '', '']);
  });
});
