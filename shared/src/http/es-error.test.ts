import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { UnavailableError } from '../errors/takedown-error';
import { esErrorHandler } from './es-error';

/** A search-shaped app whose handler fails after its status and headers went out (a stream cut mid-body). */
async function appFailingAfterHeaders(): Promise<{ url: string; warned: unknown[]; close(): Promise<void> }> {
  const warned: unknown[] = [];
  const logger = pino({ level: 'silent' });
  logger.warn = ((obj: unknown) => {
    warned.push(obj);
  }) as typeof logger.warn;
  const app = express();
  app.get('/late', async (_req, res) => {
    res.status(200).type('application/json');
    res.write('{"hits":{"hits":[');
    await new Promise((r) => setImmediate(r));
    throw new UnavailableError('Elasticsearch is unavailable', 'upstream_unavailable');
  });
  app.use(esErrorHandler({ logger }));
  const server = await new Promise<http.Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    warned,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

describe('esErrorHandler after the headers went out', () => {
  it('cuts the connection (the client read fails), never a second response and never a body left open', async () => {
    const app = await appFailingAfterHeaders();
    try {
      const outcome = await new Promise<string>((resolve) => {
        const req = http.get(`${app.url}/late`, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(`ended ${res.statusCode}: ${body}`));
          res.on('error', (err) => resolve(`read failed after ${res.statusCode}: ${err.message}`));
        });
        req.on('error', (err) => resolve(`request failed: ${err.message}`));
        // Left open, the response would never end: say so rather than hang the test.
        req.setTimeout(3000, () => {
          resolve('left open');
          req.destroy();
        });
      });
      expect(outcome).toMatch(/^read failed after 200/);
      expect(app.warned).toHaveLength(1);
      expect(JSON.stringify(app.warned)).toContain('Elasticsearch is unavailable');
    } finally {
      await app.close();
    }
  });
});
