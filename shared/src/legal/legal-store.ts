import type { Client, estypes } from '@elastic/elasticsearch';
import { ConflictError, NotFoundError, TakedownError, UnavailableError } from '../errors/takedown-error';
import type { TakedownIndexNames } from '../indices/takedown-indices';
import type { AgencyRecord, LegalRequestRecord } from './legal-record';
import { TERMINAL_LEGAL_STATES, type LegalRequestType, type LegalState } from './legal-vocabulary';

/**
 * The legal desk's store, in Elasticsearch (see legal-indices.ts for why
 * that is durable). Every change of a request is a compare-and-set on the
 * document's sequence number (`if_seq_no` / `if_primary_term`): two
 * officers approving at once cannot both count, and the one who lost the
 * race gets a 409. Writes the desk reads back use `refresh: wait_for`.
 *
 * Errors from Elasticsearch never leave this module as they are: their
 * metadata carries the request body (target values), so a failure becomes
 * an error that says which operation failed and nothing more.
 */

export type LegalIndexNames = Pick<TakedownIndexNames, 'legalRequests' | 'legalDocuments' | 'legalAgencies' | 'legalPreservations' | 'legalPackages'>;

export interface Versioned<T> {
  record: T;
  seqNo: number;
  primaryTerm: number;
}

export interface LegalListFilter {
  states?: readonly LegalState[];
  type?: LegalRequestType;
  agencyId?: string;
  dueBefore?: string;
  dueAfter?: string;
  /** Emergency disclosures whose follow-up legal process is past due (as of `now`). */
  overdueAt?: string;
  sort?: 'due' | 'received';
  from?: number;
  size?: number;
}

/** The fields a listing reads: never target values, documents, emails or history. */
export const LISTING_SOURCE = [
  'id',
  'type',
  'state',
  'agency',
  'dueAt',
  'times',
  'enteredVia',
  'enteredBy',
  'nonDisclosureUntil',
  'offenceCategory',
  'legalProcess.kind',
  'legalProcess.reference',
  'emergency.disclosedAt',
  'emergency.followUpDueAt',
  'emergency.followUp.attachedAt',
  'emergency.overAt',
  'approvals',
  'problems',
  'targets.index',
  'targets.kind',
  'targets.role',
  'targets.decision.produce',
  'package.builtAt',
  'package.expiresAt',
  'package.deletedAt',
  'preservation.expiresAt',
  'notices.state',
];

/** Wraps an Elasticsearch failure so that nothing of the request body (target values) rides along into logs. */
export function storeFailure(op: string, err: unknown): TakedownError {
  // Ours already: they never carry a body.
  if (err instanceof TakedownError) return err;
  const e = err as { name?: string; meta?: { statusCode?: number; body?: { error?: { type?: string } } } };
  const status = e?.meta?.statusCode;
  const type = e?.meta?.body?.error?.type;
  if (e?.name === 'ConnectionError' || e?.name === 'TimeoutError' || e?.name === 'NoLivingConnectionsError' || status === 503 || status === 429) {
    return new UnavailableError(`the legal desk's store is unavailable (${op})`, 'legal_store_unavailable');
  }
  return new TakedownError('legal_store_failed', `legal store: ${op} failed (${e?.name ?? 'error'}${status ? ` ${status}` : ''}${type ? ` ${type}` : ''})`, 500);
}

function statusOf(err: unknown): number | undefined {
  return (err as { meta?: { statusCode?: number } })?.meta?.statusCode;
}

/** Requests still waiting for their answer (a package, or a rejection): the legal desk's SLA counts these. */
export const AWAITING_ANSWER_STATES: readonly LegalState[] = ['received', 'acknowledged', 'in_review', 'needs_info', 'approved'];

/** The legal desk's service level at one moment (no request named). */
export interface LegalSlaFigures {
  /** Requests not yet delivered, rejected or withdrawn, by state. */
  openByState: Record<string, number>;
  /** When the longest-waiting request awaiting its answer was received. */
  oldestAwaitingReceivedAt?: string;
  /** Requests awaiting their answer past the date the agency asked for it by (dueAt). */
  overdue: number;
}

export class LegalStore {
  constructor(
    readonly es: Client,
    readonly indices: LegalIndexNames,
  ) {}

  // ---- agencies

  async createAgency(a: AgencyRecord): Promise<AgencyRecord> {
    try {
      await this.es.index({ index: this.indices.legalAgencies, id: a.id, op_type: 'create', document: a, refresh: 'wait_for' });
      return a;
    } catch (err) {
      if (statusOf(err) === 409) throw new ConflictError(`an agency with id ${a.id} is registered`, 'agency_exists', 'id');
      throw storeFailure('register agency', err);
    }
  }

  async getAgency(id: string): Promise<AgencyRecord | undefined> {
    try {
      const r = await this.es.get<AgencyRecord>({ index: this.indices.legalAgencies, id });
      return r._source;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storeFailure('read agency', err);
    }
  }

  async requireAgency(id: string, field = '/agency'): Promise<AgencyRecord> {
    const a = await this.getAgency(id);
    if (!a) throw new NotFoundError(`no registered agency with id ${id}`, 'unknown_agency', field);
    return a;
  }

  async listAgencies(): Promise<AgencyRecord[]> {
    try {
      const r = await this.es.search<AgencyRecord>({ index: this.indices.legalAgencies, size: 1000, sort: [{ id: 'asc' }], query: { match_all: {} } });
      return r.hits.hits.map((h) => h._source as AgencyRecord);
    } catch (err) {
      throw storeFailure('list agencies', err);
    }
  }

  // ---- documents

  async putDocument(id: string, doc: { requestId: string; sha256: string; bytes: number; contentType: string; data: Buffer; uploadedAt: string; uploadedBy: string }): Promise<void> {
    try {
      await this.es.index({ index: this.indices.legalDocuments, id, op_type: 'create', document: { ...doc, data: doc.data.toString('base64') } });
    } catch (err) {
      // The id carries the document's hash: the same PDF sent twice for one request is one document.
      if (statusOf(err) === 409) return;
      throw storeFailure('store document', err);
    }
  }

  async getDocument(id: string): Promise<{ data: Buffer; sha256: string; contentType: string; bytes: number } | undefined> {
    try {
      const r = await this.es.get<{ data: string; sha256: string; contentType: string; bytes: number }>({ index: this.indices.legalDocuments, id });
      const s = r._source;
      return s ? { data: Buffer.from(s.data, 'base64'), sha256: s.sha256, contentType: s.contentType, bytes: s.bytes } : undefined;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storeFailure('read document', err);
    }
  }

  // ---- packages (encrypted at rest: `data` is ciphertext, `sealed` how to open it with the key)

  async putPackage(requestId: string, doc: { manifestSha256: string; sealed: Record<string, unknown>; data: Buffer; createdAt: string; expiresAt: string }): Promise<void> {
    try {
      // The id is the request's: a rebuilt package replaces the one a crashed run left.
      await this.es.index({ index: this.indices.legalPackages, id: requestId, document: { requestId, manifestSha256: doc.manifestSha256, sealed: doc.sealed, data: doc.data.toString('base64'), bytes: doc.data.length, createdAt: doc.createdAt, expiresAt: doc.expiresAt } });
    } catch (err) {
      throw storeFailure('store package', err);
    }
  }

  async getPackage(requestId: string): Promise<{ manifestSha256: string; sealed: Record<string, unknown>; data: Buffer; expiresAt: string } | undefined> {
    try {
      const r = await this.es.get<{ manifestSha256: string; sealed: Record<string, unknown>; data: string; expiresAt: string }>({ index: this.indices.legalPackages, id: requestId });
      const s = r._source;
      return s ? { manifestSha256: s.manifestSha256, sealed: s.sealed, data: Buffer.from(s.data, 'base64'), expiresAt: s.expiresAt } : undefined;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storeFailure('read package', err);
    }
  }

  async deletePackage(requestId: string): Promise<void> {
    try {
      await this.es.delete({ index: this.indices.legalPackages, id: requestId, refresh: 'wait_for' });
    } catch (err) {
      if (statusOf(err) === 404) return;
      throw storeFailure('delete package', err);
    }
  }

  // ---- preserved sign-ins

  /** Copies sign-ins into the preservation store; ids are deterministic, so a retried job writes the same documents again. */
  async preserveSignIns(docs: readonly { id: string; requestId: string; targetIndex: number; accountId: string; ip: string; at: string; preservedAt: string }[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      const r = await this.es.bulk({ operations: docs.flatMap(({ id, ...d }) => [{ index: { _index: this.indices.legalPreservations, _id: id } }, d]) });
      if (r.errors) {
        const failed = r.items.filter((i) => i.index?.error).length;
        throw new TakedownError('legal_store_failed', `legal store: ${failed} preserved sign-ins not written`, 500);
      }
    } catch (err) {
      if (err instanceof TakedownError) throw err;
      throw storeFailure('preserve sign-ins', err);
    }
  }

  async countPreserved(requestId: string): Promise<number> {
    try {
      await this.es.indices.refresh({ index: this.indices.legalPreservations });
      return (await this.es.count({ index: this.indices.legalPreservations, query: { term: { requestId } } })).count;
    } catch (err) {
      throw storeFailure('count preserved sign-ins', err);
    }
  }

  /** Deletes a request's preserved sign-ins (search and bulk delete: the local server has no delete-by-query). Returns how many. */
  async deletePreserved(requestId: string): Promise<number> {
    let deleted = 0;
    try {
      await this.es.indices.refresh({ index: this.indices.legalPreservations });
      for (;;) {
        const r = await this.es.search({ index: this.indices.legalPreservations, size: 1000, _source: false, query: { term: { requestId } } });
        const ids = r.hits.hits.map((h) => h._id as string);
        if (ids.length === 0) return deleted;
        await this.es.bulk({ refresh: 'wait_for', operations: ids.map((_id) => ({ delete: { _index: this.indices.legalPreservations, _id } })) });
        deleted += ids.length;
      }
    } catch (err) {
      throw storeFailure('delete preserved sign-ins', err);
    }
  }

  // ---- requests

  /** Stores a new request; acknowledged (returns) only once Elasticsearch has it in its fsynced translog. */
  async create(record: LegalRequestRecord): Promise<Versioned<LegalRequestRecord>> {
    try {
      const r = await this.es.index({ index: this.indices.legalRequests, id: record.id, op_type: 'create', document: record, refresh: 'wait_for' });
      return { record, seqNo: r._seq_no as number, primaryTerm: r._primary_term as number };
    } catch (err) {
      if (statusOf(err) === 409) throw new ConflictError(`request ${record.id} exists`, 'request_exists', 'id');
      throw storeFailure('store request', err);
    }
  }

  async get(id: string): Promise<Versioned<LegalRequestRecord> | undefined> {
    try {
      const r = await this.es.get<LegalRequestRecord>({ index: this.indices.legalRequests, id });
      if (!r._source || r._seq_no === undefined || r._primary_term === undefined) return undefined;
      return { record: r._source, seqNo: r._seq_no, primaryTerm: r._primary_term };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw storeFailure('read request', err);
    }
  }

  async require(id: string): Promise<Versioned<LegalRequestRecord>> {
    const v = await this.get(id);
    if (!v) throw new NotFoundError(`no legal request ${id}`, 'not_found', 'requestId');
    return v;
  }

  /**
   * Writes `next` over the version read: 409 `request_changed` when someone
   * else changed the request meanwhile (re-read, and decide again).
   */
  async replace(current: Versioned<LegalRequestRecord>, next: LegalRequestRecord): Promise<Versioned<LegalRequestRecord>> {
    try {
      const r = await this.es.index({
        index: this.indices.legalRequests,
        id: next.id,
        document: next,
        if_seq_no: current.seqNo,
        if_primary_term: current.primaryTerm,
        refresh: 'wait_for',
      });
      return { record: next, seqNo: r._seq_no as number, primaryTerm: r._primary_term as number };
    } catch (err) {
      if (statusOf(err) === 409) throw new ConflictError('the request changed meanwhile (another officer acted on it); read it again and retry', 'request_changed', 'requestId');
      throw storeFailure('update request', err);
    }
  }

  /**
   * Read, change, compare-and-set, retried on a lost race: for Takedown's
   * own changes (the worker, the sweeper), which decide again on what they
   * read. `change` returns undefined when there is nothing to do.
   */
  async mutate(id: string, change: (r: LegalRequestRecord) => LegalRequestRecord | undefined, attempts = 5): Promise<LegalRequestRecord | undefined> {
    for (let i = 0; ; i++) {
      const current = await this.require(id);
      const next = change(current.record);
      if (!next) return undefined;
      try {
        return (await this.replace(current, next)).record;
      } catch (err) {
        if (err instanceof ConflictError && err.code === 'request_changed' && i + 1 < attempts) continue;
        throw err;
      }
    }
  }

  /** One aggregation over the open requests: counts by state, the oldest awaiting an answer, how many are past their due date. */
  async slaFigures(now: Date, requestTimeoutMs: number): Promise<LegalSlaFigures> {
    try {
      const r = await this.es.search(
        {
          index: this.indices.legalRequests,
          size: 0,
          track_total_hits: false,
          query: { bool: { must_not: [{ terms: { state: [...TERMINAL_LEGAL_STATES] } }] } },
          aggs: {
            byState: { terms: { field: 'state', size: 20 } },
            awaiting: {
              filter: { terms: { state: [...AWAITING_ANSWER_STATES] } },
              aggs: { oldest: { min: { field: 'times.receivedAt' } }, overdue: { filter: { range: { dueAt: { lt: now.toISOString() } } } } },
            },
          },
        },
        { requestTimeout: requestTimeoutMs, maxRetries: 0 },
      );
      const aggs = r.aggregations as
        | { byState: { buckets: { key: string; doc_count: number }[] }; awaiting: { oldest: { value: number | null }; overdue: { doc_count: number } } }
        | undefined;
      const openByState: Record<string, number> = {};
      for (const b of aggs?.byState.buckets ?? []) openByState[b.key] = b.doc_count;
      const oldest = aggs?.awaiting.oldest.value;
      return { openByState, ...(typeof oldest === 'number' ? { oldestAwaitingReceivedAt: new Date(oldest).toISOString() } : {}), overdue: aggs?.awaiting.overdue.doc_count ?? 0 };
    } catch (err) {
      throw storeFailure('count open requests', err);
    }
  }

  async list(f: LegalListFilter): Promise<{ total: number; requests: Partial<LegalRequestRecord>[] }> {
    const filter: estypes.QueryDslQueryContainer[] = [];
    if (f.states && f.states.length > 0) filter.push({ terms: { state: [...f.states] } });
    if (f.type) filter.push({ term: { type: f.type } });
    if (f.agencyId) filter.push({ term: { 'agency.id': f.agencyId } });
    if (f.dueBefore || f.dueAfter) filter.push({ range: { dueAt: { ...(f.dueAfter ? { gte: f.dueAfter } : {}), ...(f.dueBefore ? { lte: f.dueBefore } : {}) } } });
    const mustNot: estypes.QueryDslQueryContainer[] = [];
    if (f.overdueAt) {
      filter.push({ range: { 'emergency.followUpDueAt': { lt: f.overdueAt } } });
      mustNot.push({ exists: { field: 'emergency.followUp.attachedAt' } });
    }
    try {
      const r = await this.es.search<Partial<LegalRequestRecord>>({
        index: this.indices.legalRequests,
        from: f.from ?? 0,
        size: f.size ?? 50,
        track_total_hits: true,
        _source: { includes: LISTING_SOURCE },
        query: { bool: { filter, must_not: mustNot } },
        sort: f.sort === 'received' ? [{ 'times.receivedAt': 'desc' }, { id: 'asc' }] : [{ dueAt: 'asc' }, { id: 'asc' }],
      });
      const total = typeof r.hits.total === 'number' ? r.hits.total : (r.hits.total?.value ?? 0);
      return { total, requests: r.hits.hits.map((h) => h._source as Partial<LegalRequestRecord>) };
    } catch (err) {
      throw storeFailure('list requests', err);
    }
  }

  /**
   * Every request matching `query`, read in pages of `page` by search_after
   * on id, at most `limit` of them: a bounded read (the caller says what to
   * do past the bound; the sweepers take the rest on their next run).
   */
  async scan(query: estypes.QueryDslQueryContainer, opts: { source?: string[]; limit: number; page?: number }): Promise<{ records: LegalRequestRecord[]; more: boolean }> {
    const page = opts.page ?? 500;
    const records: LegalRequestRecord[] = [];
    let after: estypes.SortResults | undefined;
    try {
      for (;;) {
        const r = await this.es.search<LegalRequestRecord>({
          index: this.indices.legalRequests,
          size: Math.min(page, opts.limit + 1 - records.length),
          query,
          sort: [{ id: 'asc' }],
          ...(opts.source ? { _source: { includes: opts.source } } : {}),
          ...(after ? { search_after: after } : {}),
        });
        for (const h of r.hits.hits) records.push(h._source as LegalRequestRecord);
        if (records.length > opts.limit) return { records: records.slice(0, opts.limit), more: true };
        const last = r.hits.hits[r.hits.hits.length - 1];
        if (!last || r.hits.hits.length < page) return { records, more: false };
        after = last.sort;
      }
    } catch (err) {
      throw storeFailure('read requests', err);
    }
  }
}
