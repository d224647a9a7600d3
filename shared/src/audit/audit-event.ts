import { createHash } from 'node:crypto';

/** An audit event as producers write it (into the Redis stream). */
export interface AuditEventInput {
  /** e.g. report.received, case.claimed, decision.recorded, action.applied, token.created */
  type: string;
  /** Who: a token's name (`moderator:alice`), or `system`. */
  actor: string;
  at: string;
  caseId?: string;
  contentId?: string;
  /** Set by the writer from data.action (decisions), for aggregations. */
  action?: string;
  /** Set by the writer from data.category (decisions), so dashboards can leave csam figures out. */
  category?: string;
  data?: Record<string, unknown>;
}

/** An audit event as stored in Elasticsearch, chained to its predecessor. */
export interface AuditEvent extends AuditEventInput {
  seq: number;
  streamId: string;
  prevHash: string;
  hash: string;
}

/** The type of the event that stands in the chain for a stream entry the writer set aside as unreadable. */
export const AUDIT_GAP = 'audit.gap';

/** The chain's anchor: the prevHash of event 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** hash = SHA-256(prevHash ‖ canonical JSON of the event without its hash). */
export function auditHash(event: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256').update(event.prevHash).update('\n').update(canonicalJson(event)).digest('hex');
}
