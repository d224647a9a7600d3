import net from 'node:net';

/**
 * What the black hole does with the bytes it carries:
 * - `pass`: a plain TCP relay to the real server;
 * - `hang`: every connection, open or new, stays open and nothing more is
 *   carried either way (a server stopped with SIGSTOP, a GC pause, a partition);
 * - `truncate`: an HTTP answer's headers and part of its body reach the
 *   client, then the connection is cut (a stream that fails after the headers went out);
 * - `drip`: an HTTP answer's headers at once, then its body one byte every
 *   DRIP_MS (a node that answers, but slower than any deadline allows).
 */
export type BlackHoleMode = 'pass' | 'hang' | 'truncate' | 'drip';

/** In `drip` mode, the time between two bytes of an answer's body: each well within any upstream timeout here. */
export const DRIP_MS = 200;

export interface BlackHole {
  /** `scheme://127.0.0.1:<port>`: point the service under test here. */
  url: string;
  mode: BlackHoleMode;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/**
 * A local TCP relay in front of a shared server that can stop answering at
 * once, without stopping the server other tests share. Hangs are
 * deterministic: a mode switch, no timers.
 */
export async function startBlackHole(target: string, mode: BlackHoleMode = 'pass'): Promise<BlackHole> {
  const t = new URL(target);
  const host = t.hostname;
  const port = Number(t.port);
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const hole: BlackHole = {
    url: '',
    mode,
    get accepted() {
      return accepted;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = net.createServer((client) => {
    accepted++;
    sockets.add(client);
    const upstream = net.connect(port, host);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      if (hole.mode !== 'hang') upstream.write(chunk);
    });
    let answer = Buffer.alloc(0);
    let dripping = false;
    upstream.on('data', (chunk: Buffer) => {
      if (hole.mode === 'hang') return;
      if (hole.mode === 'pass') {
        client.write(chunk);
        return;
      }
      answer = Buffer.concat([answer, chunk]);
      if (hole.mode === 'drip') {
        if (dripping) return;
        const headEnd = answer.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        dripping = true;
        client.write(answer.subarray(0, headEnd + 4));
        let at = headEnd + 4;
        const drip = setInterval(() => {
          if (client.destroyed || at >= answer.length) return clearInterval(drip);
          client.write(answer.subarray(at, ++at));
        }, DRIP_MS);
        client.on('close', () => clearInterval(drip));
        return;
      }
      // truncate: headers and half of the body so far, then the connection is cut.
      const headEnd = answer.indexOf('\r\n\r\n');
      if (headEnd < 0 || answer.length - (headEnd + 4) < 2) return;
      const bodyBytes = answer.length - (headEnd + 4);
      client.write(answer.subarray(0, headEnd + 4 + Math.floor(bodyBytes / 2)), () => end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  hole.url = `${t.protocol}//127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return hole;
}
