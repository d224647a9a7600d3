import type { NextFunction, Request, Response } from 'express';
import type { Principal, Role } from '../auth/roles';
import { credentialsFrom } from '../auth/credentials';
import { hashToken, type TokenStore } from '../auth/token-store';
import { RateLimitedError, UnavailableError } from '../errors/takedown-error';
import { FailedAuthLimiter, limitedLookup } from '../auth/failed-auth-limiter';
import { EsRefusal } from './es-error';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * Principals by token hash: every platform search and write passes here, and
 * a Redis round trip per request is latency for nothing. A least-recently-
 * used map with a TTL: a revoked token (or a disabled person) stops working
 * within `ttlMs`; an unknown token is remembered for `negativeTtlMs` only,
 * so a token created a moment ago is not refused for long. At most `max`
 * entries, the least recently used dropped first, so many distinct tokens
 * never flush the cache for everyone. Lookups that find no token count
 * against the caller's address (FailedAuthLimiter).
 */
export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(
    readonly tokens: TokenStore,
    readonly limiter = new FailedAuthLimiter(300),
    readonly ttlMs = 2000,
    readonly negativeTtlMs = 500,
    private readonly max = 10_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The principal, or undefined for an unknown token; throws RateLimitedError when `address` failed too often. */
  async get(token: string, address = 'unknown'): Promise<Principal | undefined> {
    const key = hashToken(token);
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) {
      // Re-insert: a Map iterates in insertion order, so the end is the most recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      // A remembered unknown token costs nothing, so it does not count against the address.
      return hit.principal;
    }
    const principal = await limitedLookup(this.tokens, this.limiter, key, address, now);
    this.entries.delete(key);
    while (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { principal, until: now + (principal ? this.ttlMs : this.negativeTtlMs) });
    return principal;
  }
}

/**
 * `Authorization: Bearer <token>` or `ApiKey <token>` (what an Elasticsearch
 * client sends with `auth: { bearer }` or `auth: { apiKey }`), for a token of
 * one of `roles`. Answers in Elasticsearch's security_exception shape.
 */
export function esAuthenticate(cache: PrincipalCache, roles: readonly Role[], realm: string) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = credentialsFrom(req.get('authorization'));
    if (!token) {
      res.set('WWW-Authenticate', `Bearer realm="${realm}", ApiKey`);
      return next(new EsRefusal(401, 'security_exception', 'missing authentication credentials', 'unauthenticated', {}, 'authorization'));
    }
    let principal: Principal | undefined;
    try {
      principal = await cache.get(token, req.socket.remoteAddress);
    } catch (err) {
      if (err instanceof RateLimitedError) {
        res.set('Retry-After', String(err.retryAfterSeconds ?? 60));
        return next(new EsRefusal(429, 'security_exception', err.message, err.code, {}, 'authorization'));
      }
      return next(new UnavailableError('the token store (Redis) is unavailable', 'redis_unavailable'));
    }
    if (!principal) {
      res.set('WWW-Authenticate', `Bearer realm="${realm}", ApiKey`);
      return next(new EsRefusal(401, 'security_exception', 'unable to authenticate with the provided credentials', 'unauthenticated', {}, 'authorization'));
    }
    if (!roles.includes(principal.role)) {
      return next(new EsRefusal(403, 'security_exception', `role ${principal.role} may not use ${realm}`, 'forbidden', {}, 'authorization'));
    }
    req.principal = principal;
    next();
  };
}

/** What an Elasticsearch client may ask first (`info`, `ping`), answered as Elasticsearch 8.14 would. */
export function esInfo(name: string) {
  return (req: Request, res: Response): void => {
    res.status(200).set('X-Elastic-Product', 'Elasticsearch');
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.json({ name, cluster_name: 'takedown', version: { number: '8.14.3', build_flavor: 'default' }, tagline: `You Know, for Search (through Takedown ${name})` });
  };
}
