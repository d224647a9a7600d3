/**
 * A test-only fault point: a rule worker given a hold's buffer stops before
 * each task until the hold is released, so a test can act while a task is
 * held inside the worker (and see the API's event loop stay free).
 * Slot 0: released (0 = holding); slot 1: tasks that reached the hold.
 */
// Node 20 has Atomics.waitAsync; the compiler's lib (below es2024) does not declare it.
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { value: string | Promise<string> } }).waitAsync;

export class TaskHold {
  readonly buffer = new SharedArrayBuffer(8);
  private readonly cells = new Int32Array(this.buffer);

  /** Resolves once `n` tasks in all have reached the hold. */
  async reached(n = 1): Promise<void> {
    for (;;) {
      const seen = Atomics.load(this.cells, 1);
      if (seen >= n) return;
      const r = waitAsync(this.cells, 1, seen).value;
      if (typeof r !== 'string') await r;
    }
  }

  /** Holds every later task again (until the next release). */
  arm(): void {
    Atomics.store(this.cells, 0, 0);
  }

  /** Lets every held task (and every later one, until armed again) run. */
  release(): void {
    Atomics.store(this.cells, 0, 1);
    Atomics.notify(this.cells, 0);
  }
}

/** In the worker: count this task as held, then block until released. */
export function waitAtHold(buffer: SharedArrayBuffer): void {
  const cells = new Int32Array(buffer);
  Atomics.add(cells, 1, 1);
  Atomics.notify(cells, 1);
  while (Atomics.load(cells, 0) === 0) Atomics.wait(cells, 0, 0);
}
