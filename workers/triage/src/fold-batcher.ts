import type { CaseStore, FoldInput, FoldOutcome } from '@takedown/shared';

interface Pending {
  input: FoldInput;
  resolve: (outcome: FoldOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Case folds of concurrently running triage jobs, sent together: a fold
 * asked for while `maxInFlight` pipelines are out waits for the next one,
 * so an idle worker folds in one round trip as before and a busy one sends
 * the folds of many jobs in one pipeline (CaseStore.foldAll) instead of one
 * write and one reply per job.
 *
 * Nothing about a fold changes: each is its own fold-report script call
 * (atomic with its audit event, compare-and-set on its case's revision,
 * a no-op for a report id already folded), and each caller gets its own
 * outcome once Redis has run it; folds on one case in the same pipeline run
 * in order, a later one seeing the earlier one's revision (a conflict, as
 * between two processes).
 */
export class FoldBatcher {
  private queued: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly cases: Pick<CaseStore, 'fold' | 'foldAll'>,
    private readonly maxInFlight = 2,
    private readonly maxBatch = 64,
  ) {}

  fold(input: FoldInput): Promise<FoldOutcome> {
    return new Promise((resolve, reject) => {
      this.queued.push({ input, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queued.length > 0) {
      const batch = this.queued.splice(0, this.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    let outcomes: (FoldOutcome | Error)[];
    try {
      // One fold alone (an idle worker, concurrency 1) is a plain script call: building a pipeline costs more.
      outcomes = batch.length === 1 ? [await this.cases.fold((batch[0] as Pending).input)] : await this.cases.foldAll(batch.map((p) => p.input));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, k) => {
      const o = outcomes[k];
      if (o === undefined) p.reject(new Error('fold: no reply; will retry'));
      else if (o instanceof Error) p.reject(o);
      else p.resolve(o);
    });
  }
}
