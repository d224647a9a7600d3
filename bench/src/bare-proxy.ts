// The floor for any Node proxy on this machine: a node:http server that
// relays each request to Elasticsearch through an undici keep-alive Pool
// and the answer back, with no auth, no parse, no rewrite, no metrics.
// The search bench runs it as its own process beside the search service
// and measures its CPU per search the same way, so the report can say how
// much of the service's CPU is Takedown's work and how much is the cost of
// being an HTTP proxy at all. Bench-only: never deployed.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const port = Number(process.env['BARE_PROXY_PORT']);
const upstream = process.env['BARE_PROXY_UPSTREAM'];
if (!Number.isInteger(port) || !upstream) throw new Error('BARE_PROXY_PORT and BARE_PROXY_UPSTREAM are required');
const pool = new Pool(upstream, { connections: 64, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    pool
      .request({ method: req.method as 'POST', path: req.url ?? '/', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
      .then(async (r) => {
        const body = Buffer.from(await r.body.arrayBuffer());
        res.writeHead(r.statusCode, { 'content-type': 'application/json', 'content-length': body.length });
        res.end(body);
      })
      .catch(() => {
        res.writeHead(503).end();
      });
  });
}).listen(port, '127.0.0.1', () => process.send?.({ up: true }));
