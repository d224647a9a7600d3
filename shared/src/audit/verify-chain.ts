import type { Client } from '@elastic/elasticsearch';
import { AUDIT_GAP, auditHash, GENESIS_HASH, type AuditEvent } from './audit-event';

/** A stream entry the writer set aside as unreadable; its `audit.gap` event stands in the chain at `seq`. */
export interface ChainGap {
  seq: number;
  streamId: string;
  length: number;
}

export type ChainReport =
  | { ok: true; events: number; headHash: string; gaps: ChainGap[] }
  | { ok: false; events: number; brokenAt: number; reason: string; gaps: ChainGap[] };

/**
 * Walks the audit index in sequence order and recomputes every link: the
 * sequence has no gaps, each event names its predecessor's hash, and each
 * event's own hash matches its content. Any edit, insertion or deletion in
 * Elasticsearch shows as the first broken link. Entries the writer set
 * aside (`audit.gap` events, themselves links of the chain) are listed in
 * `gaps`: the chain still verifies, and the report says what it lacks.
 */
export async function verifyAuditChain(es: Client, index: string): Promise<ChainReport> {
  await es.indices.refresh({ index });
  let prevHash = GENESIS_HASH;
  let expected = 1;
  let after: (number | string)[] | undefined;
  const gaps: ChainGap[] = [];
  for (;;) {
    const res = await es.search<AuditEvent>({
      index,
      size: 1000,
      sort: [{ seq: 'asc' }],
      ...(after ? { search_after: after } : {}),
    });
    const hits = res.hits.hits;
    if (hits.length === 0) break;
    for (const h of hits) {
      const e = h._source as AuditEvent;
      const { hash, ...rest } = e;
      if (e.seq !== expected) return { ok: false, events: expected - 1, brokenAt: expected, reason: `event ${expected} is missing (found ${e.seq})`, gaps };
      if (e.prevHash !== prevHash) return { ok: false, events: expected - 1, brokenAt: e.seq, reason: 'prevHash does not match the previous event', gaps };
      if (auditHash(rest) !== hash) return { ok: false, events: expected - 1, brokenAt: e.seq, reason: 'content does not match its hash', gaps };
      if (e.type === AUDIT_GAP) gaps.push({ seq: e.seq, streamId: String(e.data?.['streamId'] ?? e.streamId), length: Number(e.data?.['length'] ?? 0) });
      prevHash = hash;
      expected++;
    }
    after = hits[hits.length - 1]?.sort as (number | string)[];
  }
  return { ok: true, events: expected - 1, headHash: prevHash, gaps };
}
