import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** An app listening on an ephemeral local port: its URL, and how to stop it (connections, then `close`). */
export async function listenLocally(app: Express, close: () => Promise<void>): Promise<{ url: string; stop(): Promise<void> }> {
  const server = await new Promise<ReturnType<Express['listen']>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await close();
    },
  };
}
