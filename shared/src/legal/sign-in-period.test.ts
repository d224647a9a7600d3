import { ValidationError } from '../errors/takedown-error';
import { clampPeriod, periodBounds } from './sign-in-period';

describe('sign-in periods (from inclusive, to exclusive)', () => {
  it('refuses dates that do not parse and empty or reversed periods, naming the field', () => {
    expect(periodBounds({ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' })).toEqual({ fromMs: Date.UTC(2026, 0, 1), toMs: Date.UTC(2026, 0, 2) });
    expect(() => periodBounds({ from: 'soon', to: '2026-01-02T00:00:00Z' })).toThrow(expect.objectContaining({ field: '/period/from' }));
    expect(() => periodBounds({ from: '2026-01-02T00:00:00Z', to: '2026-01-02T00:00:00Z' })).toThrow(ValidationError);
    expect(() => periodBounds({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })).toThrow(expect.objectContaining({ field: '/period/to' }));
  });

  it('clamps a period to the sign-ins held: the latest held stays inside, as the exclusive end is just after it', () => {
    const held = { earliest: '2026-03-01T10:00:00.000Z', latest: '2026-06-30T12:00:00.000Z' };
    expect(clampPeriod({ from: '2025-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z' }, held)).toEqual({ from: '2026-03-01T10:00:00.000Z', to: '2026-06-30T12:00:00.001Z' });
    expect(clampPeriod({ from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' }, held)).toEqual({ from: '2026-04-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z' });
    expect(clampPeriod({ from: '2026-07-01T00:00:00Z', to: '2026-08-01T00:00:00Z' }, held)).toBeUndefined();
    // A period ending exactly at the earliest sign-in does not include it.
    expect(clampPeriod({ from: '2026-01-01T00:00:00Z', to: held.earliest }, held)).toBeUndefined();
    expect(clampPeriod({ from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }, undefined)).toBeUndefined();
  });
});
