import { Router } from 'express';
import { ConflictError, ValidationError, actorOf, verifyAuditChain, type PersonRecord, type Principal, type Standing, type TokenGrants, type TokenRecord } from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { validatePersonBody, validatePersonPatch, validatePersonTokenBody, validateTokenBody } from '../http/schemas';

/** A person as the API shows them: with their tokens (records only; a token is shown once, at creation). */
function personView(person: PersonRecord, tokens: TokenRecord[]): PersonRecord & { tokens: TokenRecord[] } {
  return { ...person, tokens: tokens.filter((t) => t.actorId === person.id) };
}

/** The grants a body names (people and new one-token people alike). */
function grantsOf(body: { csam?: boolean; standing?: Standing; agency?: string; emergency?: boolean }): TokenGrants {
  return {
    ...(body.csam ? { csam: true } : {}),
    ...(body.standing ? { standing: body.standing } : {}),
    ...(body.agency ? { agency: body.agency } : {}),
    ...(body.emergency ? { emergency: true } : {}),
  };
}

/** An admin may not take away their own way back in. */
function refuseSelfLockout(p: Principal, actorId: string, rolesAfter: readonly string[] | 'disabled'): void {
  if (actorId !== p.actorId) return;
  if (rolesAfter === 'disabled' || !rolesAfter.includes('admin')) {
    throw new ConflictError('you may not disable yourself or drop your own admin role; ask another admin', 'self_lockout', rolesAfter === 'disabled' ? 'actorId' : '/roles');
  }
}

/** Audit verification; people and their tokens. */
export function adminRoutes(deps: ApiDeps): Router {
  const r = Router();
  const people = deps.tokens.people;

  r.get('/v1/audit/verify', guard(deps, 'GET /v1/audit/verify'), async (_req, res) => {
    res.json(await verifyAuditChain(deps.es, deps.indices.audit));
  });

  r.get('/v1/people', guard(deps, 'GET /v1/people'), async (_req, res) => {
    const [all, tokens] = await Promise.all([people.list(), deps.tokens.list()]);
    res.json({ people: all.map((p) => personView(p, tokens)) });
  });

  r.post('/v1/people', guard(deps, 'POST /v1/people'), async (req, res) => {
    const body = validatePersonBody(req.body);
    const person = await people.create(
      {
        ...(body.id ? { id: body.id } : {}),
        displayName: body.displayName,
        ...(body.email ? { email: body.email } : {}),
        roles: body.roles,
        grants: grantsOf(body),
      },
      actorOf(principalOf(req)),
    );
    res.status(201).json({ person: personView(person, []) });
  });

  r.get('/v1/people/:actorId', guard(deps, 'GET /v1/people/:actorId'), async (req, res) => {
    const person = await people.require(String(req.params['actorId']));
    res.json({ person: personView(person, await deps.tokens.listFor(person.id)) });
  });

  r.patch('/v1/people/:actorId', guard(deps, 'PATCH /v1/people/:actorId'), async (req, res) => {
    const patch = validatePersonPatch(req.body);
    const p = principalOf(req);
    const id = String(req.params['actorId']);
    if (patch.roles) refuseSelfLockout(p, id, patch.roles);
    // Tokens in a role the person no longer holds stop authenticating at once (TokenStore.authenticate checks the person's roles).
    const person = await people.update(id, patch, actorOf(p));
    res.json({ person: personView(person, await deps.tokens.listFor(id)) });
  });

  r.delete('/v1/people/:actorId', guard(deps, 'DELETE /v1/people/:actorId'), async (req, res) => {
    const p = principalOf(req);
    const id = String(req.params['actorId']);
    refuseSelfLockout(p, id, 'disabled');
    const person = await people.disable(id, actorOf(p));
    const tokensRevoked = await deps.tokens.revokeAllFor(id, actorOf(p));
    res.json({ person: personView(person, await deps.tokens.listFor(id)), tokensRevoked });
  });

  r.post('/v1/people/:actorId/tokens', guard(deps, 'POST /v1/people/:actorId/tokens'), async (req, res) => {
    const body = validatePersonTokenBody(req.body);
    const person = await people.require(String(req.params['actorId']));
    const { token, record } = await deps.tokens.issue(person.id, { role: body.role, name: body.name, createdBy: actorOf(principalOf(req)) });
    // The only time the token is ever shown.
    res.status(201).json({ token, record });
  });

  r.get('/v1/tokens', guard(deps, 'GET /v1/tokens'), async (_req, res) => {
    res.json({ tokens: await deps.tokens.list() });
  });

  r.post('/v1/tokens', guard(deps, 'POST /v1/tokens'), async (req, res) => {
    const body = validateTokenBody(req.body);
    const personal = (['csam', 'standing', 'agency', 'emergency'] as const).find((k) => body[k] !== undefined);
    if (body.actorId !== undefined && personal) {
      throw new ValidationError(`token: /${personal} belongs to the person; change it with PATCH /v1/people/${body.actorId}`, `/${personal}`);
    }
    const { token, record, person } = await deps.tokens.create({
      role: body.role,
      name: body.name,
      ...(body.actorId !== undefined
        ? { actorId: body.actorId }
        : { grants: grantsOf(body) }),
      createdBy: actorOf(principalOf(req)),
    });
    // The only time the token is ever shown.
    res.status(201).json({ token, record, person });
  });

  r.delete('/v1/tokens/:idOrName', guard(deps, 'DELETE /v1/tokens/:idOrName'), async (req, res) => {
    const record = await deps.tokens.revoke(String(req.params['idOrName']), actorOf(principalOf(req)));
    res.json({ record });
  });

  return r;
}
