/**
 * `fn` run one at a time: a call while a run is in flight returns that run
 * and asks for one more after it, so an announcement that arrives mid-check
 * is never lost and checks never pile up.
 */
export function coalesced(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = fn().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        void run();
      }
    });
    return running;
  };
  return run;
}
