import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../clients/redis';
import type { AuditEventInput } from '../audit/audit-event';
import type { ModerationKeys } from '../moderation/keys';
import { runScript } from '../moderation/lua-scripts';
import { actorOf, type Principal } from './roles';
import { hashToken, type TokenStore } from './token-store';

/** How long a job-board session lasts from sign-in (the cookie's Max-Age too). */
export const ADMIN_SESSION_TTL_MS = 8 * 3600 * 1000;

/** What Redis holds for a session: the token it was opened with (by hash, as the token store keys it), never the session id. */
interface AdminSessionRecord {
  tokenHash: string;
  tokenId: string;
  actorId: string;
  createdAt: string;
}

/**
 * Job-board sessions: the console exchanges an admin token for a random
 * session id the board's cookie carries, so the cookie never holds the
 * token. Redis keeps the session under the id's hash (a copy of Redis
 * yields no usable cookie). Every lookup re-authenticates the token the
 * session was opened with: revoking it, disabling the person or taking
 * their role away ends the session, and grants are read fresh.
 */
export class AdminSessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ModerationKeys,
    private readonly tokens: Pick<TokenStore, 'authenticateHash'>,
    readonly ttlMs = ADMIN_SESSION_TTL_MS,
  ) {}

  /** Opens a session for the principal of this token (hash); returns the session id, shown only in the cookie. */
  async open(p: Principal, tokenHash: string): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const record: AdminSessionRecord = { tokenHash, tokenId: p.tokenId, actorId: p.actorId, createdAt: new Date().toISOString() };
    const audit: AuditEventInput = { type: 'admin-session.opened', actor: actorOf(p), at: record.createdAt, data: { tokenId: p.tokenId, actorId: p.actorId, ttlMs: this.ttlMs } };
    const sessionHash = hashToken(id);
    const ok = await runScript(this.redis, 'open-admin-session', [this.keys.adminSession(sessionHash), this.keys.adminSessionsOf(tokenHash), this.keys.audit], [JSON.stringify(record), this.ttlMs, JSON.stringify(audit), sessionHash]);
    // 256 random bits: a collision means the random source is broken, not bad luck.
    if (Number(ok) !== 1) throw new Error('admin session id collision');
    return id;
  }

  /** The principal behind a session (by the hash of its id), or undefined when the session or its token is no longer valid. */
  async authenticateHash(sessionHash: string): Promise<Principal | undefined> {
    const raw = await this.redis.get(this.keys.adminSession(sessionHash));
    if (!raw) return undefined;
    const s = JSON.parse(raw) as AdminSessionRecord;
    const p = await this.tokens.authenticateHash(s.tokenHash);
    return p && p.tokenId === s.tokenId && p.actorId === s.actorId ? p : undefined;
  }

  /** Ends a session (by the hash of its id); false when there was none. */
  async close(sessionHash: string, by: string): Promise<boolean> {
    const key = this.keys.adminSession(sessionHash);
    const raw = await this.redis.get(key);
    if (!raw) return false;
    const s = JSON.parse(raw) as AdminSessionRecord;
    const audit: AuditEventInput = { type: 'admin-session.closed', actor: by, at: new Date().toISOString(), data: { tokenId: s.tokenId, actorId: s.actorId } };
    const ok = await runScript(this.redis, 'close-admin-session', [key, this.keys.adminSessionsOf(s.tokenHash), this.keys.audit], [raw, JSON.stringify(audit), sessionHash]);
    return Number(ok) === 1;
  }

  /**
   * Ends every session opened with this token (by hash); returns how many.
   * Signing out of the console does this: the cookie is scoped to /admin,
   * so the console's own requests never carry it.
   */
  async closeAllFor(tokenHash: string, by: string): Promise<number> {
    let n = 0;
    for (const sessionHash of await this.redis.smembers(this.keys.adminSessionsOf(tokenHash))) {
      if (await this.close(sessionHash, by)) n++;
    }
    return n;
  }
}
