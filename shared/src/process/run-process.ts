import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from '../logging/logger';

/** What a composition root may ask of the process running it. */
export interface ProcessControl {
  /**
   * Stops the process as on SIGTERM, then exits 70 so the supervisor
   * starts a fresh one: for faults that cannot be repaired in place (a
   * WebAssembly module that aborted). `reason` is printed: never secrets.
   */
  restart(reason: string): void;
}

/** Exit code of a process that asked to be restarted (EX_SOFTWARE). */
export const RESTART_EXIT_CODE = 70;

/**
 * Runs one Takedown process's composition root: its start-up failures are
 * printed (message only: a config error names the variable, never a value)
 * and exit 1; SIGTERM and SIGINT call `stop` once, then exit 0; a restart
 * asked for calls `stop` once, then exits RESTART_EXIT_CODE.
 */
export function runProcess(name: string, start: (control: ProcessControl) => Promise<{ stop(): Promise<void> }>): void {
  let stopping = false;
  let stopNow: (() => Promise<void>) | undefined;
  const end = (code: number) => {
    if (stopping) return;
    stopping = true;
    // Asked while still starting: nothing is serving yet, so exit at once.
    if (!stopNow) process.exit(code);
    void stopNow().then(
      () => process.exit(code),
      () => process.exit(code === 0 ? 1 : code),
    );
  };
  const control: ProcessControl = {
    restart(reason) {
      if (stopping) return;
      process.stderr.write(`${name} is restarting: ${reason}\n`);
      end(RESTART_EXIT_CODE);
    },
  };
  start(control)
    .then(({ stop }) => {
      stopNow = stop;
      process.once('SIGTERM', () => end(0));
      process.once('SIGINT', () => end(0));
    })
    .catch((err: unknown) => {
      process.stderr.write(`${name} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}

/**
 * Listens with an express app, and returns how to stop: stop accepting,
 * let requests in flight finish, then `close` the process's clients.
 * `requestTimeoutMs` bounds any one request (Node's default is 300 s).
 */
export function serve(app: Express, o: { port: number; host: string; logger: Logger; name: string; listening?: Record<string, unknown>; requestTimeoutMs?: number; close(): Promise<void> }): { server: Server; stop(): Promise<void> } {
  const server = app.listen(o.port, o.host, () => o.logger.info({ port: o.port, host: o.host, ...o.listening }, `${o.name} listening`));
  // Longer than the load balancers' idle timeouts in front of it, so they close first.
  server.keepAliveTimeout = 65_000;
  if (o.requestTimeoutMs !== undefined) server.requestTimeout = o.requestTimeoutMs;
  return {
    server,
    stop: async () => {
      o.logger.info(`${o.name} stopping`);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await o.close();
    },
  };
}
