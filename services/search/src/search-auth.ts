import type { NextFunction, Request, Response } from 'express';
import { credentialsFrom, hashToken, type Principal, type Role } from '@takedown/shared';
import type { SearchDeps } from './deps';
import { Refusal } from './es-error';

/**
 * Principals by token hash, for PRINCIPAL_CACHE_MS: every platform search
 * passes here, and a Redis round trip per search is latency for nothing.
 * A revoked token stops working within that time.
 */
export const PRINCIPAL_CACHE_MS = 2000;
const cache = new Map<string, { principal: Principal | undefined; until: number }>();

async function cachedPrincipal(deps: SearchDeps, token: string): Promise<Principal | undefined> {
  const key = hashToken(token);
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit.principal;
  const principal = await deps.tokens.authenticate(token);
  if (cache.size > 10_000) cache.clear();
  cache.set(key, { principal, until: now + PRINCIPAL_CACHE_MS });
  return principal;
}

/**
 * `Authorization: Bearer <token>` or `ApiKey <token>` (what an Elasticsearch
 * client sends with `auth: { bearer }` or `auth: { apiKey }`), for a token of
 * one of `roles`. Answers in Elasticsearch's security_exception shape.
 */
export function authenticate(deps: SearchDeps, roles: readonly Role[]) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const token = credentialsFrom(req.get('authorization'));
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer realm="takedown-search", ApiKey');
      return next(new Refusal(401, 'security_exception', 'missing authentication credentials', 'unauthenticated'));
    }
    const principal = await cachedPrincipal(deps, token);
    if (!principal) {
      res.set('WWW-Authenticate', 'Bearer realm="takedown-search", ApiKey');
      return next(new Refusal(401, 'security_exception', 'unable to authenticate with the provided credentials', 'unauthenticated'));
    }
    if (!roles.includes(principal.role)) {
      return next(new Refusal(403, 'security_exception', `role ${principal.role} may not use the search service`, 'forbidden'));
    }
    next();
  };
}
