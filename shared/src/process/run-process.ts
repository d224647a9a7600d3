import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from '../logging/logger';

/**
 * Runs one Takedown process's composition root: its start-up failures are
 * printed (message only: a config error names the variable, never a value)
 * and exit 1; SIGTERM and SIGINT call `stop` once, then exit 0.
 */
export function runProcess(name: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  start()
    .then(({ stop }) => {
      let stopping = false;
      const onSignal = () => {
        if (stopping) return;
        stopping = true;
        void stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
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
