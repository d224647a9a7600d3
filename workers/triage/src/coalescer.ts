interface Waiting<I, O> {
  item: I;
  resolve: (out: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Items submitted by concurrently running jobs, sent together: an item
 * submitted while `maxInFlight` sends are out waits for the next one, so an
 * idle worker sends each item alone (one round trip, as before) and a busy
 * one sends up to `maxBatch` at once. `send` answers one result per item,
 * in order: an Error rejects that item's caller alone; a thrown error
 * rejects the whole batch.
 */
export class Coalescer<I, O> {
  private queued: Waiting<I, O>[] = [];
  private inFlight = 0;

  constructor(
    private readonly send: (items: readonly I[]) => Promise<readonly (O | Error)[]>,
    private readonly maxInFlight: number,
    private readonly maxBatch: number,
    /** Names the operation in the error of an item left without a result. */
    private readonly what: string,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
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

  private async run(batch: Waiting<I, O>[]): Promise<void> {
    let results: readonly (O | Error)[];
    try {
      results = await this.send(batch.map((w) => w.item));
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, k) => {
      const r = results[k];
      if (r === undefined) w.reject(new Error(`${this.what}: no result; will retry`));
      else if (r instanceof Error) w.reject(r);
      else w.resolve(r);
    });
  }
}
