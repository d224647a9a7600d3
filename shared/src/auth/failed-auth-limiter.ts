import { RateLimitedError } from '../errors/takedown-error';
import type { Principal } from './roles';
import type { TokenStore } from './token-store';

/**
 * Failed token lookups per client address, in fixed one-minute windows. A
 * caller presenting many distinct unknown tokens (a guessing run, or a
 * misconfigured fleet) would otherwise send every one of them to Redis:
 * past the limit its address is refused with 429 until the window ends,
 * without a lookup. Tokens this process has seen valid (by hash) are still
 * looked up from a refused address, so one stale or hostile client behind a
 * shared address (a NAT, an egress gateway) does not lock the others out.
 * In memory, per process, and bounded: at most `maxAddresses` addresses and
 * as many known-good tokens, the least recently used dropped first. With a
 * `shared` counter (Redis, http/rate-limits.ts) the failures of every
 * process of the service add up: a token not known good is refused when
 * either count is over the limit.
 */
/** Failed lookups per address counted across processes; never throws (falls back to its own or no count). */
export interface SharedFailureCounter {
  /** Milliseconds until `address` may try again, or 0. */
  retryAfterMs(address: string): Promise<number>;
  recordFailure(address: string): Promise<void>;
}

export class FailedAuthLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();
  private readonly good = new Map<string, true>();

  constructor(
    readonly perMinute: number,
    private readonly maxAddresses = 10_000,
    private readonly windowMs = 60_000,
    readonly shared?: SharedFailureCounter,
  ) {}

  /** Has this process seen this token (by hash) valid? */
  knowsGood(tokenHash: string): boolean {
    return this.good.has(tokenHash);
  }

  /** Milliseconds until `address` may try again, or 0 when it may now. */
  retryAfterMs(address: string, now = Date.now()): number {
    const w = this.windows.get(address);
    if (!w) return 0;
    if (now - w.start >= this.windowMs) {
      this.windows.delete(address);
      return 0;
    }
    return w.failures >= this.perMinute ? w.start + this.windowMs - now : 0;
  }

  /** May this token (by hash) be looked up from `address` now? */
  mayLookUp(address: string, tokenHash: string, now = Date.now()): number {
    const wait = this.retryAfterMs(address, now);
    return wait > 0 && this.good.has(tokenHash) ? 0 : wait;
  }

  /** The outcome of a lookup: a valid token is remembered as good; a failed one is forgotten and counts against the address. */
  recordLookup(address: string, tokenHash: string, valid: boolean, now = Date.now()): void {
    this.good.delete(tokenHash);
    if (!valid) {
      this.recordFailure(address, now);
      return;
    }
    this.good.set(tokenHash, true);
    while (this.good.size > this.maxAddresses) {
      const oldest = this.good.keys().next();
      if (oldest.done) break;
      this.good.delete(oldest.value);
    }
  }

  recordFailure(address: string, now = Date.now()): void {
    const w = this.windows.get(address);
    this.windows.delete(address);
    const next = w && now - w.start < this.windowMs ? { start: w.start, failures: w.failures + 1 } : { start: now, failures: 1 };
    this.windows.set(address, next);
    while (this.windows.size > this.maxAddresses) {
      const oldest = this.windows.keys().next();
      if (oldest.done) break;
      this.windows.delete(oldest.value);
    }
  }
}

/**
 * One token lookup through the limiter: refused with RateLimitedError (no
 * lookup) when the address failed too often and the token is not known
 * good; otherwise looked up and the outcome recorded.
 */
export async function limitedLookup(tokens: Pick<TokenStore, 'authenticateHash'>, limiter: FailedAuthLimiter, tokenHash: string, address: string, now = Date.now()): Promise<Principal | undefined> {
  let wait = limiter.mayLookUp(address, tokenHash, now);
  // Known-good tokens skip the shared count, so a legitimate caller pays no extra round trip.
  if (wait === 0 && limiter.shared && !limiter.knowsGood(tokenHash)) wait = await limiter.shared.retryAfterMs(address);
  if (wait > 0) throw new RateLimitedError('too many failed authentication attempts from this address', 'auth_rate_limited', Math.ceil(wait / 1000));
  const principal = await tokens.authenticateHash(tokenHash);
  limiter.recordLookup(address, tokenHash, principal !== undefined, now);
  if (!principal && limiter.shared) await limiter.shared.recordFailure(address);
  return principal;
}
