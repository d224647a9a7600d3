import { noticeFromReport, type ElasticsearchClient, type ReportJob } from '@takedown/shared';

interface Pending {
  id: string;
  document: object;
  resolve: (created: boolean) => void;
  reject: (err: unknown) => void;
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
  private queued: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly es: ElasticsearchClient,
    private readonly index: string,
    private readonly maxInFlight = 2,
    private readonly maxBatch = 200,
  ) {}

  /** True when the record was created now; false when it existed, or the report is not a notice. */
  record(report: ReportJob, caseId: string): Promise<boolean> {
    const notice = noticeFromReport(report, caseId);
    if (!notice) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      this.queued.push({ id: notice.reportId, document: notice, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queued.length > 0) {
      const batch = this.queued.splice(0, this.maxBatch);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    // One record alone (an idle worker, concurrency 1): a plain create, as recordNotice sends it.
    if (batch.length === 1) return this.createOne(batch[0] as Pending);
    let res;
    try {
      res = await this.es.bulk({ operations: batch.flatMap((p) => [{ create: { _index: this.index, _id: p.id } }, p.document]) });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, k) => {
      const item = res.items[k]?.create;
      if (!item) return p.reject(new Error('notice record: no result for the write; will retry'));
      if (!item.error) return p.resolve(true);
      // The record exists: a replayed report, or the decision notice got there first.
      if (item.status === 409) return p.resolve(false);
      // The error type only: no part of a record reaches a log.
      p.reject(new Error(`notice record: the write failed (${item.error.type ?? 'error'}); will retry`));
    });
  }

  private async createOne(p: Pending): Promise<void> {
    try {
      await this.es.create({ index: this.index, id: p.id, document: p.document });
      p.resolve(true);
    } catch (err) {
      if ((err as { meta?: { statusCode?: number } })?.meta?.statusCode === 409) p.resolve(false);
      else p.reject(err);
    }
  }
}
