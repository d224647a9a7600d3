import type { CaseStore, FoldInput, FoldOutcome } from '@takedown/shared';
import { Coalescer } from './coalescer';

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
  private readonly coalescer: Coalescer<FoldInput, FoldOutcome>;

  constructor(cases: Pick<CaseStore, 'fold' | 'foldAll'>, maxInFlight = 2, maxBatch = 64) {
    this.coalescer = new Coalescer<FoldInput, FoldOutcome>(
      // One fold alone (an idle worker, concurrency 1) is a plain script call: building a pipeline costs more.
      async (inputs) => (inputs.length === 1 ? [await cases.fold(inputs[0] as FoldInput)] : cases.foldAll([...inputs])),
      maxInFlight,
      maxBatch,
      'fold',
    );
  }

  fold(input: FoldInput): Promise<FoldOutcome> {
    return this.coalescer.submit(input);
  }
}
