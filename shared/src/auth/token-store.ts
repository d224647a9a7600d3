import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../clients/redis';
import { ConflictError, NotFoundError, ValidationError } from '../errors/takedown-error';
import type { ModerationKeys } from '../moderation/keys';
import { runScript } from '../moderation/lua-scripts';
import type { AuditEventInput } from '../audit/audit-event';
import { PeopleStore, type PersonRecord } from './people-store';
import type { Principal, Role, TokenGrants } from './roles';

export interface TokenRecord {
  id: string;
  /** A label, unique among live tokens: a device, a service instance, a rotation. */
  name: string;
  /** The person the token belongs to. Absent only on tokens from before people existed, until migrated. */
  actorId?: string;
  /** One of the person's roles: a token acts in exactly one. */
  role: Role;
  /** Only on tokens from before people existed: grants now belong to the person. */
  grants?: TokenGrants;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
  revokedBy?: string;
}

/** SHA-256 of the token: tokens are 192-bit random, so a fast hash is enough and a leak of the store reveals none. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Token labels: what `DELETE /v1/tokens/:idOrName` and the CLI take. Never shaped like a token id, so revoking by id never hits a token named like it. */
export const TOKEN_NAME_PATTERN = '^(?!t_[0-9a-f]{12}$)[A-Za-z0-9._@-]{1,80}$';

const ISSUE_REFUSALS: Record<string, [string, string, string]> = {
  no_person: ['no person with this id', 'not_found', 'actorId'],
  disabled: ['this person is disabled', 'person_disabled', 'actorId'],
  role_not_held: ['the person does not hold this role; add it to the person first', 'role_not_held', 'role'],
  name_taken: ['a live token with this name exists; revoke it first or pick another name', 'token_name_taken', 'name'],
};

/**
 * Bearer tokens, stored hashed in Redis (hash → record), each belonging to a
 * person (PeopleStore). The token itself is shown once, at creation.
 * Creation and revocation are atomic with their checks and audit events.
 */
export class TokenStore {
  readonly people: PeopleStore;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ModerationKeys,
    people?: PeopleStore,
  ) {
    this.people = people ?? new PeopleStore(redis, keys);
  }

  /**
   * A token for an existing person (`actorId`), or, without one, a new
   * person holding just this role and `grants`, named after the token:
   * the one-person-one-token shape of scripts, services and tests.
   */
  async create(opts: { role: Role; name: string; createdBy: string; actorId?: string; grants?: TokenGrants; displayName?: string; email?: string }): Promise<{ token: string; record: TokenRecord; person: PersonRecord }> {
    if (opts.actorId !== undefined && opts.grants !== undefined) {
      throw new ValidationError('token: grants belong to the person; change the person instead', '/csam');
    }
    if (!new RegExp(TOKEN_NAME_PATTERN).test(opts.name)) throw new ValidationError(`token: /name must match ${TOKEN_NAME_PATTERN}`, '/name');
    if (opts.actorId === undefined && (await this.redis.hexists(this.keys.tokenIndex, `name:${opts.name}`))) {
      // Checked before the person is made, so a refused name leaves no orphan person behind.
      throw new ConflictError(ISSUE_REFUSALS['name_taken']![0], 'token_name_taken', 'name');
    }
    const person =
      opts.actorId !== undefined
        ? await this.people.require(opts.actorId)
        : await this.people.create({ displayName: opts.displayName ?? opts.name, ...(opts.email ? { email: opts.email } : {}), roles: [opts.role], grants: opts.grants ?? {} }, opts.createdBy);
    const { token, record } = await this.issue(person.id, { role: opts.role, name: opts.name, createdBy: opts.createdBy });
    return { token, record, person };
  }

  /** A new token for person `actorId`, in one of their roles. */
  async issue(actorId: string, opts: { role: Role; name: string; createdBy: string }): Promise<{ token: string; record: TokenRecord }> {
    const token = `tdk_${opts.role}_${randomBytes(24).toString('base64url')}`;
    const record: TokenRecord = {
      id: `t_${randomBytes(6).toString('hex')}`,
      name: opts.name,
      actorId,
      role: opts.role,
      createdAt: new Date().toISOString(),
      createdBy: opts.createdBy,
    };
    const audit: AuditEventInput = { type: 'token.created', actor: opts.createdBy, at: record.createdAt, data: { tokenId: record.id, name: record.name, actorId, role: record.role } };
    const [ok, why] = (await runScript(this.redis, 'issue-token', [this.keys.tokens, this.keys.tokenIndex, this.keys.people, this.keys.audit], [
      hashToken(token),
      JSON.stringify(record),
      record.id,
      record.name,
      actorId,
      record.role,
      JSON.stringify(audit),
    ])) as [number, string];
    if (ok !== 1) {
      const [message, code, field] = ISSUE_REFUSALS[why] ?? ['token refused', 'conflict', 'actorId'];
      if (code === 'not_found') throw new NotFoundError(message, code, field);
      throw new ConflictError(message, code, field);
    }
    return { token, record };
  }

  /**
   * The principal for a presented token, or undefined when the token is
   * unknown or revoked, its person disabled, or the person no longer holds
   * the token's role. Grants are read from the person at every lookup.
   */
  authenticate(token: string): Promise<Principal | undefined> {
    return this.authenticateHash(hashToken(token));
  }

  /** As authenticate, for a token already hashed (callers that keyed a cache or a limiter by the hash). */
  async authenticateHash(tokenHash: string): Promise<Principal | undefined> {
    // The token and its person in one round trip (authenticate-2.lua): every request pays it.
    const [raw, personRaw] = (await runScript(this.redis, 'authenticate', [this.keys.tokens, this.keys.people], [tokenHash])) as [string?, (string | null)?];
    if (!raw) return undefined;
    const r = JSON.parse(raw) as TokenRecord;
    if (r.revokedAt) return undefined;
    if (r.actorId === undefined) {
      // Not migrated yet (the moderation API migrates at boot): the token is its own person, as before.
      const legacy = `${r.role}:${r.name}`;
      return { actorId: legacy, name: r.name, tokenId: r.id, tokenName: r.name, role: r.role, grants: r.grants ?? {}, formerActors: [] };
    }
    if (!personRaw) return undefined;
    const person = JSON.parse(personRaw) as PersonRecord;
    if (person.disabledAt || !person.roles.includes(r.role)) return undefined;
    return { actorId: person.id, name: person.displayName, tokenId: r.id, tokenName: r.name, role: r.role, grants: person.grants, formerActors: person.formerActors ?? [] };
  }

  /** Every token record (never a token or its hash), oldest first. */
  async list(): Promise<TokenRecord[]> {
    const all = await this.redis.hvals(this.keys.tokens);
    return all.map((r) => JSON.parse(r) as TokenRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async listFor(actorId: string): Promise<TokenRecord[]> {
    return (await this.list()).filter((t) => t.actorId === actorId);
  }

  /** The live token with this id, or else with this name (an id wins: ids are what GET /v1/tokens shows). */
  async find(idOrName: string): Promise<TokenRecord | undefined> {
    const [byId, byName] = await this.redis.hmget(this.keys.tokenIndex, `id:${idOrName}`, `name:${idOrName}`);
    for (const hash of [byId, byName]) {
      if (!hash) continue;
      const raw = await this.redis.hget(this.keys.tokens, hash);
      const r = raw ? (JSON.parse(raw) as TokenRecord) : undefined;
      if (r && !r.revokedAt) return r;
    }
    return undefined;
  }

  /** Revokes by token id or, failing that, by name (the live token with that name). */
  async revoke(idOrName: string, revokedBy: string): Promise<TokenRecord> {
    const [byId, byName] = await this.redis.hmget(this.keys.tokenIndex, `id:${idOrName}`, `name:${idOrName}`);
    for (const hash of [byId, byName]) {
      if (!hash) continue;
      const revoked = await this.revokeHash(hash, revokedBy);
      if (revoked) return revoked;
    }
    throw new NotFoundError(`no live token with id or name ${idOrName}`, 'not_found', 'token');
  }

  /** Revokes a person's live tokens in roles they no longer hold: a role given back later never revives an old token. */
  revokeOutsideRoles(actorId: string, roles: readonly Role[], revokedBy: string): Promise<number> {
    return this.revokeWhere((r) => r.actorId === actorId && !roles.includes(r.role), revokedBy);
  }

  /** Revokes every live token `which` picks; returns how many. */
  private async revokeWhere(which: (r: TokenRecord) => boolean, revokedBy: string): Promise<number> {
    const all = await this.redis.hgetall(this.keys.tokens);
    let n = 0;
    for (const [hash, raw] of Object.entries(all)) {
      const r = JSON.parse(raw) as TokenRecord;
      if (!r.revokedAt && which(r) && (await this.revokeHash(hash, revokedBy))) n++;
    }
    return n;
  }

  /** Live admin tokens of people who are not disabled: what keeps Takedown administrable. */
  async liveAdminTokens(): Promise<TokenRecord[]> {
    const [tokens, people] = await Promise.all([this.list(), this.people.list()]);
    const active = new Set(people.filter((p) => !p.disabledAt && p.roles.includes('admin')).map((p) => p.id));
    return tokens.filter((t) => t.role === 'admin' && !t.revokedAt && t.actorId !== undefined && active.has(t.actorId));
  }

  /** Revokes every live token of a person; returns how many. */
  revokeAllFor(actorId: string, revokedBy: string): Promise<number> {
    return this.revokeWhere((r) => r.actorId === actorId, revokedBy);
  }

  /** The revoked record, or undefined when the token is unknown or already revoked. */
  private async revokeHash(hash: string, revokedBy: string): Promise<TokenRecord | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const raw = await this.redis.hget(this.keys.tokens, hash);
      if (!raw) return undefined;
      const r = JSON.parse(raw) as TokenRecord;
      if (r.revokedAt) return undefined;
      const revoked: TokenRecord = { ...r, revokedAt: new Date().toISOString(), revokedBy };
      const audit: AuditEventInput = { type: 'token.revoked', actor: revokedBy, at: revoked.revokedAt as string, data: { tokenId: r.id, name: r.name, actorId: r.actorId, role: r.role } };
      const ok = await runScript(this.redis, 'revoke-token', [this.keys.tokens, this.keys.tokenIndex, this.keys.audit], [hash, raw, JSON.stringify(revoked), r.name, JSON.stringify(audit)]);
      if (Number(ok) === 1) return revoked;
    }
    throw new ConflictError('the token changed while it was being revoked; retry', 'token_changed', 'token');
  }
}
