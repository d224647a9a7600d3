import { FailedAuthLimiter } from './failed-auth-limiter';

describe('FailedAuthLimiter', () => {
  it('lets an address fail perMinute times, then refuses it until its window ends', () => {
    const l = new FailedAuthLimiter(3);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterMs('10.0.0.1', t0 + i)).toBe(0);
      l.recordFailure('10.0.0.1', t0 + i);
    }
    expect(l.retryAfterMs('10.0.0.1', t0 + 10)).toBe(60_000 - 10);
    // Other addresses are not affected.
    expect(l.retryAfterMs('10.0.0.2', t0 + 10)).toBe(0);
    expect(l.retryAfterMs('10.0.0.1', t0 + 60_000)).toBe(0);
    l.recordFailure('10.0.0.1', t0 + 60_001);
    expect(l.retryAfterMs('10.0.0.1', t0 + 60_002)).toBe(0);
  });

  it('tracks at most maxAddresses, dropping the least recently failing', () => {
    const l = new FailedAuthLimiter(1, 2);
    l.recordFailure('a', 1);
    l.recordFailure('b', 2);
    l.recordFailure('a', 3);
    l.recordFailure('c', 4);
    expect(l.retryAfterMs('a', 5)).toBeGreaterThan(0);
    expect(l.retryAfterMs('c', 5)).toBeGreaterThan(0);
    // b was the least recently failing and is forgotten.
    expect(l.retryAfterMs('b', 5)).toBe(0);
  });
});
