import type { Client, estypes } from '@elastic/elasticsearch';
import {
  ART15_APPEAL_EVENT,
  ART15_DECISION_EVENTS,
  ART15_LEGAL_SOURCE,
  appealsFromAudit,
  legalOrderOf,
  scanNotices,
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

/** Up to `limit` hits' sources, a page at a time in `sort` order (a unique field); `more` when there were more. */
async function scan<T>(es: Client, index: string, query: estypes.QueryDslQueryContainer, sort: string, source: readonly string[], limit: number): Promise<{ records: T[]; more: boolean }> {
  const page = 1000;
  const records: T[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    const r = await es.search<T>({
      index,
      size: Math.min(page, limit + 1 - records.length),
      query,
      sort: [{ [sort]: 'asc' }],
      _source: { includes: [...source] },
      ...(after ? { search_after: after } : {}),
    });
    for (const h of r.hits.hits) records.push(h._source as T);
    if (records.length > limit) return { records: records.slice(0, limit), more: true };
    const last = r.hits.hits[r.hits.hits.length - 1];
    if (!last || r.hits.hits.length < page) return { records, more: false };
    after = last.sort;
  }
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

  const statements = await scan<Art15Statement>(
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

  const appealEvents = await scan<Art15AuditEvent>(deps.es, deps.indices.audit, { bool: { filter: [{ term: { type: ART15_APPEAL_EVENT } }, range('at')] } }, 'seq', ['type', 'at', 'caseId', 'data'], limit);
  if (appealEvents.more) throw tooManyRecords('appeals', limit, period);
  const caseIds = [...new Set(appealEvents.records.flatMap((e) => (e.caseId ? [e.caseId] : [])))];
  const caseEvents: Art15AuditEvent[] = [];
  for (let i = 0; i < caseIds.length; i += CASES_PER_QUERY) {
    const got = await scan<Art15AuditEvent>(
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
