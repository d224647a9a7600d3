import type { Client, estypes } from '@elastic/elasticsearch';
import {
  ART15_APPEAL_EVENT,
  ART15_DECISION_EVENTS,
  ART15_LEGAL_SOURCE,
  appealsFromAudit,
  legalOrderOf,
  scanNotices,
  scanSorted,
  tooManyRecords,
  type Art15AuditEvent,
  type Art15Records,
  type Art15Statement,
  type LegalRequestRecord,
  type TakedownIndexNames,
} from '@takedown/shared';
import type { LegalStore } from '@takedown/shared';

/** The most records of each kind (notices, orders, statements, appeals, their cases' events) one report reads. */
export const ART15_READ_LIMIT = 100_000;
/** Cases whose decision events one search asks for. */
const CASES_PER_QUERY = 500;

export interface Art15ReaderDeps {
  /** The scan-bounded client (esScanTimeoutMs). */
  es: Client;
  indices: Pick<TakedownIndexNames, 'notices' | 'statements' | 'audit'>;
  legal: Pick<LegalStore, 'scan'>;
}

/**
 * Reads everything the Art. 15 figures of [from, to) need, each kind capped
 * at `limit`: a period holding more is refused (422 naming /period), never
 * counted from part of its records.
 */
export async function readArt15Records(deps: Art15ReaderDeps, period: string, from: Date, to: Date, limit = ART15_READ_LIMIT): Promise<Art15Records> {
  const range = (field: string) => ({ range: { [field]: { gte: from.toISOString(), lt: to.toISOString() } } });

  const notices = await scanNotices(deps.es, deps.indices.notices, from, to, limit);
  if (notices.more) throw tooManyRecords('notices', limit, period);

  const statements = await scanSorted<Art15Statement>(
    deps.es,
    deps.indices.statements,
    { bool: { filter: [{ term: { source_type: 'SOURCE_VOLUNTARY' } }, range('decidedAt')] } },
    'puid',
    ['decidedAt', 'source_type', 'automated_decision', 'takedownCategory'],
    limit,
  );
  if (statements.more) throw tooManyRecords('own-initiative decisions', limit, period);

  const legal = await deps.legal.scan(range('times.receivedAt'), { source: ART15_LEGAL_SOURCE, limit, page: 1000 });
  if (legal.more) throw tooManyRecords('legal requests', limit, period);

  const appealEvents = await scanSorted<Art15AuditEvent>(deps.es, deps.indices.audit, { bool: { filter: [{ term: { type: ART15_APPEAL_EVENT } }, range('at')] } }, 'seq', ['type', 'at', 'caseId', 'data'], limit);
  if (appealEvents.more) throw tooManyRecords('appeals', limit, period);
  const caseIds = [...new Set(appealEvents.records.flatMap((e) => (e.caseId ? [e.caseId] : [])))];
  const caseEvents: Art15AuditEvent[] = [];
  for (let i = 0; i < caseIds.length; i += CASES_PER_QUERY) {
    const got = await scanSorted<Art15AuditEvent>(
      deps.es,
      deps.indices.audit,
      { bool: { filter: [{ terms: { caseId: caseIds.slice(i, i + CASES_PER_QUERY) } }, { terms: { type: [...ART15_DECISION_EVENTS] } }] } },
      'seq',
      ['type', 'at', 'caseId', 'data'],
      limit - caseEvents.length,
    );
    caseEvents.push(...got.records);
    if (got.more) throw tooManyRecords('decision events of appealed cases', limit, period);
  }

  return {
    notices: notices.records.map((n) => ({ ...n, decisions: n.decisions ?? [] })),
    legalOrders: legal.records.map((r) => legalOrderOf(r as LegalRequestRecord)),
    statements: statements.records,
    appeals: appealsFromAudit(appealEvents.records, caseEvents),
  };
}
