import { MAX_RETRY_AFTER_MS, backoffMs, retryAfterMs, retryDelayMs } from './backoff';

describe('backoff', () => {
  const p = { baseMs: 1000, capMs: 30_000 };

  it('doubles per attempt between half and all of the full delay, and stops at the cap', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, p, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((a) => backoffMs(a, p, () => 0.999999))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(6, p, () => 0.5)).toBe(22_500);
    expect(backoffMs(50, p, () => 0)).toBe(15_000);
    expect(backoffMs(5000, p, () => 0.999999)).toBe(30_000);
  });

  it('jitter spreads submitters that failed together', () => {
    const seen = new Set([0, 0.25, 0.5, 0.75].map((r) => backoffMs(3, p, () => r)));
    expect(seen.size).toBe(4);
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores what it cannot read', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Mon, 30 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Mon, 30 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('99999999', now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('a Retry-After longer than the backoff wins; a shorter one does not', () => {
    expect(retryDelayMs(1, p, 120_000, () => 0)).toBe(120_000);
    expect(retryDelayMs(3, p, 10, () => 0)).toBe(2000);
    expect(retryDelayMs(3, p, undefined, () => 0)).toBe(2000);
  });
});
