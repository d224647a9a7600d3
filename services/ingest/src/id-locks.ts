/**
 * Writes of one id, one at a time within this process. Every ingest write
 * is conditional on the sequence number it read; concurrent writes of the
 * same post would otherwise lose races to each other and retry. A batch
 * registers all its ids at once (synchronously) and waits only for batches
 * registered before it, so two batches can never wait on each other.
 */
export class IdLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async acquire(ids: readonly string[]): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const waits: Promise<void>[] = [];
    for (const id of ids) {
      const before = this.tails.get(id);
      if (before) waits.push(before);
      this.tails.set(id, mine);
    }
    if (waits.length > 0) await Promise.all(waits);
    return () => {
      for (const id of ids) if (this.tails.get(id) === mine) this.tails.delete(id);
      release();
    };
  }

  /** Ids held or awaited now (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
