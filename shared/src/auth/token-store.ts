import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError } from '../errors/takedown-error';
import type { AuditEventInput } from '../audit/audit-event';
import type { ModerationKeys } from '../moderation/keys';
import { appendAudit } from '../audit/append-audit';
import type { Principal, Role, TokenGrants } from './roles';

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  grants: TokenGrants;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
}

/** SHA-256 of the token: tokens are 192-bit random, so a fast hash is enough and a leak of the store reveals none. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Bearer tokens, stored hashed in Redis (hash → record). The token itself
 * is shown once, at creation. Creation and revocation are audited.
 */
export class TokenStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ModerationKeys,
  ) {}

  async create(opts: { role: Role; name: string; grants?: TokenGrants; createdBy: string }): Promise<{ token: string; record: TokenRecord }> {
    const existing = await this.list();
    if (existing.some((t) => t.name === opts.name && !t.revokedAt)) {
      throw new ConflictError(`a live token named ${opts.name} exists; revoke it first or pick another name`, 'token_name_taken', 'name');
    }
    const token = `tdk_${opts.role}_${randomBytes(24).toString('base64url')}`;
    const record: TokenRecord = {
      id: `t_${randomBytes(6).toString('hex')}`,
      name: opts.name,
      role: opts.role,
      grants: opts.grants ?? {},
      createdAt: new Date().toISOString(),
      createdBy: opts.createdBy,
    };
    await this.redis.hset(this.keys.tokens, hashToken(token), JSON.stringify(record));
    await this.audit({ type: 'token.created', actor: opts.createdBy, at: record.createdAt, data: { tokenId: record.id, name: record.name, role: record.role, grants: record.grants } });
    return { token, record };
  }

  /** The principal for a presented token, or undefined when unknown or revoked. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const raw = await this.redis.hget(this.keys.tokens, hashToken(token));
    if (!raw) return undefined;
    const r = JSON.parse(raw) as TokenRecord;
    if (r.revokedAt) return undefined;
    return { tokenId: r.id, name: r.name, role: r.role, grants: r.grants };
  }

  async list(): Promise<TokenRecord[]> {
    const all = await this.redis.hvals(this.keys.tokens);
    return all.map((r) => JSON.parse(r) as TokenRecord).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Revokes by token id or by name (the live token with that name). */
  async revoke(idOrName: string, revokedBy: string): Promise<TokenRecord> {
    const all = await this.redis.hgetall(this.keys.tokens);
    for (const [hash, raw] of Object.entries(all)) {
      const r = JSON.parse(raw) as TokenRecord;
      if (r.revokedAt || (r.id !== idOrName && r.name !== idOrName)) continue;
      r.revokedAt = new Date().toISOString();
      await this.redis.hset(this.keys.tokens, hash, JSON.stringify(r));
      await this.audit({ type: 'token.revoked', actor: revokedBy, at: r.revokedAt, data: { tokenId: r.id, name: r.name, role: r.role } });
      return r;
    }
    throw new NotFoundError(`no live token with id or name ${idOrName}`, 'not_found', 'token');
  }

  private audit(event: AuditEventInput): Promise<void> {
    return appendAudit(this.redis, this.keys, event);
  }
}
