import type { RequestHandler } from 'express';
import { AuthenticationError, ForbiddenError, RateLimitedError, UnavailableError, credentialsFrom, hashToken, limitedLookup, type FailedAuthLimiter, type Principal, type Role, type TokenStore } from '@takedown/shared';
import { ACCESS, type Endpoint } from '../access';
import { readJson } from './read-json';

/**
 * Authenticates the bearer token, then admits only the roles ACCESS names
 * for this endpoint. 401 without a valid token, 403 for a role that may not.
 * Only then is the JSON body read, with this endpoint's limit: an anonymous
 * caller never makes the API buffer a byte. Public endpoints take no body.
 * Tokens are looked up on every request (no cache), so revoking a token or
 * disabling a person takes effect at once; lookups that find no token count
 * against the client's address, and past the limit it gets 429 unanswered.
 */
export function guard(deps: { tokens: TokenStore; authLimiter: FailedAuthLimiter }, endpoint: Endpoint): RequestHandler {
  const allowed = ACCESS[endpoint];
  const body = readJson(endpoint);
  return async (req, res, next) => {
    if (allowed === 'public') return next();
    const header = req.get('authorization') ?? '';
    const token = credentialsFrom(header);
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer realm="takedown"');
      return next(new AuthenticationError(header ? 'malformed Authorization header; use "Bearer <token>"' : 'a bearer token is required'));
    }
    let principal: Awaited<ReturnType<typeof authenticateLimited>>;
    try {
      principal = await authenticateLimited(deps, token, req.socket.remoteAddress, res);
    } catch (err) {
      // Redis timed out, is down or reconnecting: the caller retries later (503, Retry-After), never a 500.
      return next(new UnavailableError('the token store (Redis) is unavailable', 'redis_unavailable', { cause: err }));
    }
    if (principal instanceof RateLimitedError) return next(principal);
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer realm="takedown", error="invalid_token"');
      return next(new AuthenticationError('unknown or revoked token', 'invalid_token'));
    }
    if (!(allowed as readonly Role[]).includes(principal.role)) {
      return next(new ForbiddenError(`role ${principal.role} may not call ${endpoint}`));
    }
    req.principal = principal;
    body(req, res, next);
  };
}

/**
 * A token lookup that counts failures against the client's address: past
 * the limit, only tokens this process has seen valid are still looked up;
 * anything else gets 429 with Retry-After and costs Redis nothing.
 */
export async function authenticateLimited(
  deps: { tokens: TokenStore; authLimiter: FailedAuthLimiter },
  token: string,
  address: string | undefined,
  res: { set(name: string, value: string): unknown },
): Promise<Principal | undefined | RateLimitedError> {
  try {
    return await limitedLookup(deps.tokens, deps.authLimiter, hashToken(token), address ?? 'unknown');
  } catch (err) {
    if (!(err instanceof RateLimitedError)) throw err;
    res.set('Retry-After', String(err.retryAfterSeconds ?? 60));
    return err;
  }
}

/** The authenticated principal (guard ran before). */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new AuthenticationError();
  return req.principal;
}
