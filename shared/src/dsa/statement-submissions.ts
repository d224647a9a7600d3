import { isEsConflict } from '../clients/elasticsearch';
import type { Client } from '@elastic/elasticsearch';
import { ValidationError } from '../errors/takedown-error';
import { STATEMENT_STATUSES, type StatementProblem, type StatementStatus, type StoredStatement } from './stored-statement';

/**
 * The stored statements as the submitter and the console see them: the due
 * ones, per-statement results written with optimistic concurrency (the
 * `_seq_no`/`_primary_term` read with them, so a write over a change made
 * meanwhile, by another submitter or a requeue, fails and is left alone),
 * counts by status, pages by status, and a requeue.
 */
export interface DueStatement {
  puid: string;
  doc: StoredStatement;
  seqNo: number;
  primaryTerm: number;
}

/** What the submitter records for one statement. */
export type SubmissionResult =
  | { kind: 'submitted'; at: string; duplicate: boolean; tdbUuid?: string }
  | { kind: 'rejected'; problems: StatementProblem[]; message: string }
  | { kind: 'retry'; attempts: number; nextAttemptAt: string; error: string }
  | { kind: 'failed'; attempts: number; error: string };

export interface StatementCounts {
  byStatus: Record<StatementStatus, number>;
  /** createdAt of the oldest pending statement, when there is one. */
  oldestPendingAt?: string;
}

/** Largest page of GET /v1/statements. */
export const MAX_STATEMENT_PAGE = 100;

export class StatementSubmissions {
  constructor(
    private readonly es: Client,
    private readonly index: string,
  ) {}

  /** Pending statements whose next attempt is due (or that were never tried), oldest first. */
  async due(limit: number, now: Date): Promise<DueStatement[]> {
    const r = await this.es.search<StoredStatement>({
      index: this.index,
      size: limit,
      seq_no_primary_term: true,
      query: {
        bool: {
          filter: [{ term: { status: 'pending' } }],
          should: [{ bool: { must_not: { exists: { field: 'nextAttemptAt' } } } }, { range: { nextAttemptAt: { lte: now.toISOString() } } }],
          minimum_should_match: 1,
        },
      },
      sort: [{ createdAt: 'asc' }, { puid: 'asc' }],
    });
    return r.hits.hits.flatMap((h) => (h._source && h._seq_no !== undefined && h._primary_term !== undefined ? [{ puid: h._id as string, doc: h._source, seqNo: h._seq_no, primaryTerm: h._primary_term }] : []));
  }

  /**
   * Writes the results, each only if its document is unchanged since it was
   * read. Returns the puids whose write lost to a change made meanwhile.
   * Refreshed before returning, so the next `due` never sees them pending.
   */
  async record(results: readonly { item: DueStatement; result: SubmissionResult }[]): Promise<string[]> {
    if (results.length === 0) return [];
    const operations: object[] = [];
    for (const { item, result } of results) {
      operations.push({ update: { _index: this.index, _id: item.puid, if_seq_no: item.seqNo, if_primary_term: item.primaryTerm } }, { doc: docFor(result) });
    }
    const r = await this.es.bulk({ operations, refresh: 'wait_for' });
    const lost: string[] = [];
    const failed: string[] = [];
    r.items.forEach((it, i) => {
      const u = it.update;
      if (!u?.error) return;
      const puid = (results[i] as { item: DueStatement }).item.puid;
      if (u.status === 409) lost.push(puid);
      else failed.push(`${puid}: ${u.error.type}`);
    });
    if (failed.length > 0) throw new Error(`recording submission results failed for ${failed.length} statement(s): ${failed.slice(0, 3).join(', ')}`);
    return lost;
  }

  /**
   * Counts by status and the oldest pending statement (one aggregation
   * request); `exclude` leaves out Takedown categories (csam for a caller
   * without the grant).
   */
  async counts(o: { exclude?: readonly string[] } = {}): Promise<StatementCounts> {
    const r = await this.es.search({
      index: this.index,
      size: 0,
      track_total_hits: false,
      query: excluding(o.exclude),
      aggs: {
        status: { terms: { field: 'status', size: STATEMENT_STATUSES.length + 5 } },
        pending: { filter: { term: { status: 'pending' } }, aggs: { oldest: { min: { field: 'createdAt' } } } },
      },
    });
    const byStatus = Object.fromEntries(STATEMENT_STATUSES.map((s) => [s, 0])) as Record<StatementStatus, number>;
    const aggs = r.aggregations as { status?: { buckets?: { key: string; doc_count: number }[] }; pending?: { oldest?: { value: number | null } } } | undefined;
    for (const b of aggs?.status?.buckets ?? []) if (Object.hasOwn(byStatus, b.key)) byStatus[b.key as StatementStatus] = b.doc_count;
    const oldest = aggs?.pending?.oldest?.value;
    return typeof oldest === 'number' ? { byStatus, oldestPendingAt: new Date(oldest).toISOString() } : { byStatus };
  }

  /** One page of statements in a status, newest first; `after` is the cursor a previous page returned. */
  async list(status: StatementStatus, o: { size: number; after?: string; exclude?: readonly string[] }): Promise<{ items: StoredStatement[]; next?: string }> {
    const size = Math.min(Math.max(1, o.size), MAX_STATEMENT_PAGE);
    const after = o.after ? decodeCursor(o.after) : undefined;
    if (o.after && !after) throw new ValidationError('query: /after is not a cursor this endpoint returned', '/after');
    const r = await this.es.search<StoredStatement>({
      index: this.index,
      size,
      query: { bool: { filter: [{ term: { status } }], must_not: exclusion(o.exclude) } },
      sort: [{ createdAt: 'desc' }, { puid: 'desc' }],
      ...(after ? { search_after: after } : {}),
    });
    const hits = r.hits.hits;
    const items = hits.flatMap((h) => (h._source ? [h._source] : []));
    const last = hits[hits.length - 1];
    return hits.length === size && last?.sort ? { items, next: Buffer.from(JSON.stringify(last.sort)).toString('base64url') } : { items };
  }

  async get(puid: string): Promise<{ doc: StoredStatement; seqNo: number; primaryTerm: number } | undefined> {
    const r = await this.es.get<StoredStatement>({ index: this.index, id: puid }, { ignore: [404] });
    if (!r.found || !r._source || r._seq_no === undefined || r._primary_term === undefined) return undefined;
    return { doc: r._source, seqNo: r._seq_no, primaryTerm: r._primary_term };
  }

  /**
   * Puts a failed or rejected statement back to pending with its attempts
   * reset (its problems stay, for the record). Returns
   * the status it had, or 'missing'; 'conflict' when it changed meanwhile.
   */
  async requeue(puid: string): Promise<{ outcome: 'requeued' | 'not-requeueable' | 'missing' | 'conflict'; from?: StatementStatus }> {
    const cur = await this.get(puid);
    if (!cur) return { outcome: 'missing' };
    const from = cur.doc.status;
    if (from !== 'failed' && from !== 'rejected') return { outcome: 'not-requeueable', from };
    try {
      await this.es.update({
        index: this.index,
        id: puid,
        if_seq_no: cur.seqNo,
        if_primary_term: cur.primaryTerm,
        refresh: 'wait_for',
        // Nulls clear the earlier round's schedule and error (no scripts: the cluster may run without painless).
        doc: { status: 'pending', attempts: 0, nextAttemptAt: null, lastError: null },
      });
    } catch (err) {
      if (isEsConflict(err)) return { outcome: 'conflict', from };
      throw err;
    }
    return { outcome: 'requeued', from };
  }

  /**
   * Replaces an invalid or rejected statement with one composed again (the
   * data it lacked may be there now, or the mapping was fixed), as read at
   * `seen`: 'conflict' when it changed since. Pending, submitted and failed
   * statements are never replaced (what the database holds, or may hold, stays
   * what it was sent).
   */
  async replace(seen: { doc: StoredStatement; seqNo: number; primaryTerm: number }, doc: StoredStatement): Promise<'replaced' | 'not-rebuildable' | 'conflict'> {
    if (!REBUILDABLE.includes(seen.doc.status)) return 'not-rebuildable';
    try {
      await this.es.index({ index: this.index, id: seen.doc.puid, if_seq_no: seen.seqNo, if_primary_term: seen.primaryTerm, refresh: 'wait_for', document: doc });
    } catch (err) {
      if (isEsConflict(err)) return 'conflict';
      throw err;
    }
    return 'replaced';
  }
}

/** The statuses a lead may rebuild: those that never reached the database. */
export const REBUILDABLE: readonly StatementStatus[] = ['invalid', 'rejected'];

function docFor(result: SubmissionResult): Record<string, unknown> {
  switch (result.kind) {
    case 'submitted':
      return { status: 'submitted', submittedAt: result.at, duplicate: result.duplicate, nextAttemptAt: null, lastError: null, ...(result.tdbUuid ? { tdbUuid: result.tdbUuid } : {}) };
    case 'rejected':
      return { status: 'rejected', problems: result.problems, lastError: result.message, nextAttemptAt: null };
    case 'retry':
      return { status: 'pending', attempts: result.attempts, nextAttemptAt: result.nextAttemptAt, lastError: result.error };
    case 'failed':
      return { status: 'failed', attempts: result.attempts, lastError: result.error, nextAttemptAt: null };
  }
}

function exclusion(exclude: readonly string[] | undefined): { terms: { takedownCategory: string[] } }[] {
  return exclude && exclude.length > 0 ? [{ terms: { takedownCategory: [...exclude] } }] : [];
}

function excluding(exclude: readonly string[] | undefined): object {
  return { bool: { must_not: exclusion(exclude) } };
}

/** A page cursor as GET /v1/statements returns it (base64url of the last sort values). */
export const STATEMENT_CURSOR_PATTERN = '^[A-Za-z0-9_-]{1,400}$';

function decodeCursor(cursor: string): (string | number)[] | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string' || typeof x === 'number') ? (v as (string | number)[]) : undefined;
  } catch {
    return undefined;
  }
}
