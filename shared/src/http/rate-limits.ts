import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RequestHandler } from 'express';
import { RateLimitedError } from '../errors/takedown-error';
import type { SharedFailureCounter } from '../auth/failed-auth-limiter';
import type { RedisClient } from '../clients/redis';

/** One limit: `points` requests per `durationSeconds` window; 0 points = off. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

/** Per-token limits of the moderation API (TAKEDOWN_RATE_*). */
export interface RateLimitsConfig {
  intake: RateLimit;
  claims: RateLimit;
}

/**
 * The limiter's keys live under the moderation keys' base (`{takedown}:mod`),
 * so under one hash tag: each count is one key, and on Redis Cluster the
 * library's single-key script never crosses slots.
 *
 * Fail policy: when Redis errors, times out (the request-path client's
 * command timeout bounds every call) or is not ready, the count falls back
 * to an in-memory limiter with the same limit, per process (the library's
 * insurance limiter). Limits stay enforced per process instead of failing
 * every request closed: the routes behind them need Redis anyway and answer
 * 503 when it is down, and an outage of the counter alone must not stop
 * intake or review.
 */
function limiter(redis: RedisClient, keyPrefix: string, limit: RateLimit): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points: limit.points,
    duration: limit.durationSeconds,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points: limit.points, duration: limit.durationSeconds }),
  });
}

function retryAfterSeconds(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

/**
 * A per-principal limit as middleware (after guard): past the limit, 429
 * with Retry-After through the error middleware. Keyed by token id, never
 * the token. Off (a pass-through) when the limit is absent or 0 points.
 */
export function perTokenLimit(redis: RedisClient, keysBase: string, name: string, limit: RateLimit | undefined): RequestHandler {
  if (!limit || limit.points <= 0) return (_req, _res, next) => next();
  const rl = limiter(redis, `${keysBase}:rl:${name}`, limit);
  return (req, _res, next) => {
    const principal = (req as { principal?: { tokenId: string } }).principal;
    if (!principal) return next();
    rl.consume(principal.tokenId).then(
      () => next(),
      (err: unknown) => {
        if (err instanceof RateLimiterRes) return next(new RateLimitedError(`too many requests for this token (${limit.points} per ${limit.durationSeconds} s); retry later`, 'rate_limited', retryAfterSeconds(err)));
        // Neither Redis nor the insurance answered: let the request through (the route meets Redis itself).
        next();
      },
    );
  };
}

/**
 * Failed token lookups per client address, counted in Redis so every process
 * of a service sees the same count (FailedAuthLimiter keeps its in-memory
 * count too, and known-good tokens skip this). `service` keeps each
 * service's count apart (each has its own limit). Never throws: on a Redis
 * failure it answers from the insurance counter, and failing that, 0.
 */
export function sharedAuthFailures(redis: RedisClient, keysBase: string, service: string, perWindow: number, windowSeconds = 60): SharedFailureCounter {
  const rl = limiter(redis, `${keysBase}:rl:auth-fail:${service}`, { points: perWindow, durationSeconds: windowSeconds });
  return {
    async retryAfterMs(address) {
      try {
        const res = await rl.get(address);
        return res && res.consumedPoints >= perWindow ? Math.max(1, res.msBeforeNext) : 0;
      } catch {
        return 0;
      }
    },
    async recordFailure(address) {
      try {
        await rl.penalty(address, 1);
      } catch {
        // The in-memory count still applies.
      }
    },
  };
}
