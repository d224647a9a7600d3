import { createHash, randomBytes } from 'node:crypto';

/** One case per content id: the case id is derived from it, so every triage worker agrees. */
export function caseIdFor(contentId: string): string {
  return `c_${createHash('sha256').update(contentId).digest('hex').slice(0, 24)}`;
}

/**
 * Time-ordered unique ids ("d_…" decisions, "r_…" reports). Letters, digits
 * and "_" only, so a decision id can serve as a DSA statement's `puid`.
 */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(8).toString('hex')}`;
}

/** A lease token: unguessable, so only the holder can heartbeat, release or decide. */
export function newLeaseToken(): string {
  return randomBytes(18).toString('base64url');
}
