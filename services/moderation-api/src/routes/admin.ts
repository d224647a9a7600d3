import { Router } from 'express';
import { actorOf, verifyAuditChain } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { validateTokenBody } from '../http/schemas';

/** Audit verification and token management. */
export function adminRoutes(deps: ApiDeps): Router {
  const r = Router();

  r.get('/v1/audit/verify', guard(deps.tokens, 'GET /v1/audit/verify'), async (_req, res) => {
    res.json(await verifyAuditChain(deps.es, deps.indices.audit));
  });

  r.get('/v1/tokens', guard(deps.tokens, 'GET /v1/tokens'), async (_req, res) => {
    res.json({ tokens: await deps.tokens.list() });
  });

  r.post('/v1/tokens', guard(deps.tokens, 'POST /v1/tokens'), async (req, res) => {
    const body = validateTokenBody(req.body);
    const { token, record } = await deps.tokens.create({
      role: body.role,
      name: body.name,
      grants: { ...(body.csam ? { csam: true } : {}), ...(body.standing ? { standing: body.standing } : {}) },
      createdBy: actorOf(principalOf(req)),
    });
    // The only time the token is ever shown.
    res.status(201).json({ token, record });
  });

  r.delete('/v1/tokens/:idOrName', guard(deps.tokens, 'DELETE /v1/tokens/:idOrName'), async (req, res) => {
    const record = await deps.tokens.revoke(String(req.params['idOrName']), actorOf(principalOf(req)));
    res.json({ record });
  });

  return r;
}
