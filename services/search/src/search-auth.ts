import type { NextFunction, Request, Response } from 'express';
import { credentialsFrom, type Role } from '@takedown/shared';
import type { SearchDeps } from './deps';
import { Refusal } from './es-error';

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
    const principal = await deps.tokens.authenticate(token);
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
