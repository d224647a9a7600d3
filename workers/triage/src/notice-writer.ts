import { isEsConflict, noticeFromReport, type ElasticsearchClient, type ReportJob } from '@takedown/shared';
import { Coalescer } from './coalescer';

interface NoticeWrite {
  id: string;
  document: object;
}

/**
 * Triage's notice writes, coalesced: recordNotice's semantics (the Art. 16
 * record of a token-filed report, created once under the full report id;
 * false when it exists already or the report is a scan), but a write made
 * while `maxInFlight` bulk requests are out waits for the next one, so an
 * idle writer answers in one round trip and a busy one (dozens of jobs in
 * hand) sends one `_bulk` of creates instead of one request per report.
 *
 * Each caller's promise settles only from its own item's result in a bulk
 * Elasticsearch answered: a job never completes before its record is
 * written (the bulk returns once its operations are in the translog, as a
 * single create does). A failed item rejects that caller alone (the job is
 * retried; a create is idempotent); a failed request rejects its batch.
 */
export class NoticeWriter {
  private readonly coalescer: Coalescer<NoticeWrite, boolean>;

  constructor(
    private readonly es: ElasticsearchClient,
    private readonly index: string,
    maxInFlight = 2,
    maxBatch = 200,
  ) {
    this.coalescer = new Coalescer<NoticeWrite, boolean>((writes) => this.write(writes), maxInFlight, maxBatch, 'notice record');
  }

  /** True when the record was created now; false when it existed, or the report is not a notice. */
  record(report: ReportJob, caseId: string): Promise<boolean> {
    const notice = noticeFromReport(report, caseId);
    if (!notice) return Promise.resolve(false);
    return this.coalescer.submit({ id: notice.reportId, document: notice });
  }

  private async write(writes: readonly NoticeWrite[]): Promise<(boolean | Error)[]> {
    // One record alone (an idle worker, concurrency 1): a plain create, as recordNotice sends it.
    if (writes.length === 1) return [await this.createOne(writes[0] as NoticeWrite)];
    const res = await this.es.bulk({ operations: writes.flatMap((w) => [{ create: { _index: this.index, _id: w.id } }, w.document]) });
    return writes.map((_w, k) => {
      const item = res.items[k]?.create;
      if (!item) return new Error('notice record: no result for the write; will retry');
      if (!item.error) return true;
      // The record exists: a replayed report, or the decision notice got there first.
      if (item.status === 409) return false;
      // The error type only: no part of a record reaches a log.
      return new Error(`notice record: the write failed (${item.error.type ?? 'error'}); will retry`);
    });
  }

  private async createOne(w: NoticeWrite): Promise<boolean> {
    try {
      await this.es.create({ index: this.index, id: w.id, document: w.document });
      return true;
    } catch (err) {
      if (isEsConflict(err)) return false;
      throw err;
    }
  }
}
