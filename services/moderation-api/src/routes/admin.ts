import { Router } from 'express';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  actorOf,
  isSamePerson,
  verifyAuditChain,
  type PersonPatch,
  type PersonRecord,
  type Principal,
  type Standing,
  type TokenGrants,
  type TokenRecord,
} from '@takedown/shared';
import type { ApiDeps } from '../deps';
import { guard, principalOf } from '../http/auth';
import { validateGrantDecisionBody, validatePersonBody, validatePersonPatch, validatePersonTokenBody, validateTokenBody } from '../http/schemas';

/** A person as the API shows them: with their tokens (records only; a token is shown once, at creation). */
function personView(person: PersonRecord, tokens: TokenRecord[]): PersonRecord & { tokens: TokenRecord[] } {
  return { ...person, tokens: tokens.filter((t) => t.actorId === person.id) };
}

/** The grants a body names that take effect at once (people and new one-token people alike); a csam clearance waits for a second admin. */
function grantsOf(body: { standing?: Standing; memberState?: string; agency?: string; emergency?: boolean }): TokenGrants {
  return {
    ...(body.standing ? { standing: body.standing } : {}),
    ...(body.memberState ? { memberState: body.memberState } : {}),
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

/**
 * Separation of duties: an admin changes their own person only to give
 * something up (a role, a grant) or to fix their name and email; adding a
 * role, standing, clearance, the emergency grant or an agency to oneself
 * needs another admin.
 */
function refuseSelfGrant(p: Principal, before: PersonRecord, patch: PersonPatch): void {
  if (!isSamePerson(p, before.id)) return;
  const added = (patch.roles ?? []).find((r) => !before.roles.includes(r));
  if (added) throw new ConflictError(`you may not give yourself the ${added} role; ask another admin`, 'self_change', '/roles');
  if (patch.csam === true && !before.grants.csam) throw new ConflictError('you may not clear yourself for csam; ask another admin', 'self_change', '/csam');
  if (patch.standing && patch.standing !== before.grants.standing) throw new ConflictError('you may not give yourself a standing; ask another admin', 'self_change', '/standing');
  if (patch.memberState && patch.memberState !== before.grants.memberState) throw new ConflictError('you may not name your own member state; ask another admin', 'self_change', '/memberState');
  if (patch.emergency === true && !before.grants.emergency) throw new ConflictError('you may not give yourself the emergency grant; ask another admin', 'self_change', '/emergency');
  if (patch.agency && patch.agency !== before.grants.agency) throw new ConflictError('you may not name the agency you act for yourself; ask another admin', 'self_change', '/agency');
}

/** Refuses a change that would leave no live admin token at all (nobody could manage people again without Redis access). */
async function refuseLastAdmin(deps: ApiDeps, losing: (t: TokenRecord) => boolean, field: string): Promise<void> {
  const live = await deps.tokens.liveAdminTokens();
  if (live.length > 0 && live.every(losing)) {
    throw new ConflictError('this would leave no live admin token; give another person an admin token first', 'last_admin', field);
  }
}

/** Audit verification; people and their tokens. */
export function adminRoutes(deps: ApiDeps): Router {
  const r = Router();
  const people = deps.tokens.people;

  r.get('/v1/audit/verify', guard(deps, 'GET /v1/audit/verify'), async (_req, res) => {
    res.json(await verifyAuditChain(deps.esScan, deps.indices.audit));
  });

  r.get('/v1/people', guard(deps, 'GET /v1/people'), async (_req, res) => {
    const [all, tokens] = await Promise.all([people.list(), deps.tokens.list()]);
    res.json({ people: all.map((p) => personView(p, tokens)) });
  });

  r.post('/v1/people', guard(deps, 'POST /v1/people'), async (req, res) => {
    const body = validatePersonBody(req.body);
    const by = actorOf(principalOf(req));
    let person = await people.create(
      {
        ...(body.id ? { id: body.id } : {}),
        displayName: body.displayName,
        ...(body.email ? { email: body.email } : {}),
        roles: body.roles,
        grants: grantsOf(body),
      },
      by,
    );
    // A csam clearance waits for a second admin (POST /v1/people/:actorId/csam-grant).
    if (body.csam) person = await people.requestCsamGrant(person.id, by);
    res.status(201).json({ person: personView(person, []) });
  });

  r.get('/v1/people/:actorId', guard(deps, 'GET /v1/people/:actorId'), async (req, res) => {
    const person = await people.require(String(req.params['actorId']));
    res.json({ person: personView(person, await deps.tokens.listFor(person.id)) });
  });

  r.patch('/v1/people/:actorId', guard(deps, 'PATCH /v1/people/:actorId'), async (req, res) => {
    const { csam, ...rest } = validatePersonPatch(req.body);
    const p = principalOf(req);
    const id = String(req.params['actorId']);
    const before = await people.require(id);
    refuseSelfGrant(p, before, { ...rest, ...(csam !== undefined ? { csam } : {}) });
    if (rest.roles) {
      refuseSelfLockout(p, id, rest.roles);
      if (!rest.roles.includes('admin')) await refuseLastAdmin(deps, (t) => t.actorId === id, '/roles');
    }
    // Taking a clearance away is immediate; giving one waits for a second admin.
    const patch: PersonPatch = { ...rest, ...(csam === false ? { csam: false } : {}) };
    let person = Object.keys(patch).length > 0 ? await people.update(id, patch, actorOf(p)) : before;
    if (csam === true && !person.grants.csam) person = await people.requestCsamGrant(id, actorOf(p));
    // A token in a role the person no longer holds is revoked, so giving the role back later never revives it.
    if (rest.roles) await deps.tokens.revokeOutsideRoles(id, person.roles, actorOf(p));
    res.json({ person: personView(person, await deps.tokens.listFor(id)) });
  });

  r.post('/v1/people/:actorId/csam-grant', guard(deps, 'POST /v1/people/:actorId/csam-grant'), async (req, res) => {
    const { confirm } = validateGrantDecisionBody(req.body);
    const p = principalOf(req);
    const id = String(req.params['actorId']);
    if (isSamePerson(p, id)) throw new ForbiddenError('no one confirms their own csam clearance', 'self_change');
    const person = await people.decideCsamGrant(id, actorOf(p), confirm, (requestedBy) => isSamePerson(p, requestedBy));
    res.json({ person: personView(person, await deps.tokens.listFor(id)) });
  });

  r.delete('/v1/people/:actorId', guard(deps, 'DELETE /v1/people/:actorId'), async (req, res) => {
    const p = principalOf(req);
    const id = String(req.params['actorId']);
    refuseSelfLockout(p, id, 'disabled');
    await refuseLastAdmin(deps, (t) => t.actorId === id, 'actorId');
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
    const personal = (['csam', 'standing', 'memberState', 'agency', 'emergency'] as const).find((k) => body[k] !== undefined);
    if (body.actorId !== undefined && personal) {
      throw new ValidationError(`token: /${personal} belongs to the person; change it with PATCH /v1/people/${body.actorId}`, `/${personal}`);
    }
    const by = actorOf(principalOf(req));
    const created = await deps.tokens.create({
      role: body.role,
      name: body.name,
      ...(body.actorId !== undefined ? { actorId: body.actorId } : { grants: grantsOf(body) }),
      createdBy: by,
    });
    // A csam clearance waits for a second admin, as on POST /v1/people.
    const person = body.csam ? await people.requestCsamGrant(created.person.id, by) : created.person;
    // The only time the token is ever shown.
    res.status(201).json({ token: created.token, record: created.record, person });
  });

  r.delete('/v1/tokens/:idOrName', guard(deps, 'DELETE /v1/tokens/:idOrName'), async (req, res) => {
    const p = principalOf(req);
    const target = await deps.tokens.find(String(req.params['idOrName']));
    if (!target) throw new NotFoundError(`no live token with id or name ${String(req.params['idOrName'])}`, 'not_found', 'token');
    if (target.role === 'admin') {
      if (target.actorId === p.actorId) {
        const mine = (await deps.tokens.liveAdminTokens()).filter((t) => t.actorId === p.actorId && t.id !== target.id);
        if (mine.length === 0) throw new ConflictError('this is your last admin token; issue yourself another first, or ask another admin', 'self_lockout', 'token');
      }
      await refuseLastAdmin(deps, (t) => t.id === target.id, 'token');
    }
    const record = await deps.tokens.revoke(target.id, actorOf(p));
    res.json({ record });
  });

  return r;
}
