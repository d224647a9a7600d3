import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';

/** Elasticsearch's answer: status, Content-Type and the body as bytes, unread. */
export interface UpstreamAnswer {
  status: number;
  contentType: string | undefined;
  body: Readable;
}

export interface UpstreamClientOptions {
  /** Node URLs (ELASTICSEARCH_URL's list). */
  nodes: readonly string[];
  /** The Authorization header value when Elasticsearch wants one (never logged). */
  authorization?: string;
  /**
   * Per call: until the last byte of Elasticsearch's answer (waiting for a
   * connection, connecting, a retry on another node and the body included).
   */
  timeoutMs: number;
  /** Keep-alive connections per node. */
  connections?: number;
}

/** The call ran past its deadline: a hung node, a partition. */
export class UpstreamTimeoutError extends Error {
  readonly code = 'takedown_upstream_timeout';
}

interface Node {
  origin: string;
  /** The URL's path, when Elasticsearch sits under one (a reverse proxy): '' or '/es'. */
  prefix: string;
  pool: Pool;
  /** A dead node is tried again from this time on (ms since the epoch); 0: alive. */
  deadUntil: number;
  deaths: number;
}

/** Headers of the Elasticsearch client's requests, so Elasticsearch answers with the same Content-Type as before. */
const JSON_TYPE = 'application/vnd.elasticsearch+json; compatible-with=8';
const NDJSON_TYPE = 'application/vnd.elasticsearch+x-ndjson; compatible-with=8';

/** A dead node is tried again after 1 s, doubling with each death in a row, at most 60 s. */
const DEAD_BASE_MS = 1000;
const DEAD_MAX_MS = 60_000;

/** Errors after which the request may not have reached the node (or hangs there): no other node is tried. */
const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_ABORTED']);

/**
 * The search service's client for its hot calls (search, count, msearch):
 * one undici keep-alive Pool per Elasticsearch node, the body sent as the
 * string it was serialised to, the answer handed back as bytes. What the
 * Elasticsearch client's transport did on top (serialising again, measuring
 * the body twice, an AbortController and diagnostics events per request,
 * weighted node selection) cost about a fifth of the service's CPU.
 *
 * Several nodes: round robin over the live ones. A node that fails to
 * connect or drops the connection is dead for a while (1 s, doubling, at
 * most 60 s) and the call goes on to the next live node: every call here
 * is a read, so sending it again is safe. A node that times out is dead too,
 * but the call is not sent again: the deadline is spent, and the caller
 * gets its 503 (fail closed, fast). When every node is dead, the one due
 * back first is tried.
 */
export class UpstreamClient {
  private readonly nodes: Node[];
  private readonly jsonHeaders: Record<string, string>;
  private readonly ndjsonHeaders: Record<string, string>;
  private next = 0;

  constructor(private readonly opts: UpstreamClientOptions) {
    if (opts.nodes.length === 0) throw new Error('UpstreamClient needs at least one Elasticsearch node');
    this.nodes = opts.nodes.map((u) => {
      const url = new URL(u);
      return {
        origin: url.origin,
        prefix: url.pathname.replace(/\/+$/, ''),
        pool: new Pool(url.origin, {
          connections: opts.connections ?? 256,
          pipelining: 1,
          keepAliveTimeout: 600_000,
          keepAliveTimeoutThreshold: 1000,
          connect: { timeout: opts.timeoutMs },
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
        }),
        deadUntil: 0,
        deaths: 0,
      };
    });
    const auth: Record<string, string> = opts.authorization ? { authorization: opts.authorization } : {};
    this.jsonHeaders = { 'content-type': JSON_TYPE, accept: JSON_TYPE, ...auth };
    this.ndjsonHeaders = { 'content-type': NDJSON_TYPE, accept: JSON_TYPE, ...auth };
  }

  /**
   * Sends `body` (already serialised: JSON, or NDJSON with `ndjson`) to
   * `path` with `query` (an encoded query string, '' for none). Resolves on
   * any HTTP status; rejects with UpstreamTimeoutError past the deadline, or
   * the last node's connection error.
   */
  async request(method: 'GET' | 'POST', path: string, query: string, body: string, ndjson = false): Promise<UpstreamAnswer> {
    const signal = new EventEmitter();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signal.emit('abort');
    }, this.opts.timeoutMs);
    const headers = ndjson ? this.ndjsonHeaders : this.jsonHeaders;
    const tried: Node[] = [];
    let answered = false;
    try {
      for (;;) {
        const node = this.pick(tried);
        if (node === undefined) throw new Error('no Elasticsearch node left to try');
        tried.push(node);
        try {
          const res = await node.pool.request({ method, path: node.prefix + path + (query === '' ? '' : `?${query}`), headers, body, signal });
          if (node.deadUntil !== 0) {
            node.deadUntil = 0;
            node.deaths = 0;
          }
          // The deadline runs on over the body (the signal then aborts it): a node that sends its headers at once and
          // its body a byte at a time, each within undici's bodyTimeout, would otherwise hold the caller for ever.
          answered = true;
          const stop = () => clearTimeout(timer);
          res.body.once('end', stop).once('close', stop).once('error', stop);
          const type = res.headers['content-type'];
          return { status: res.statusCode, contentType: typeof type === 'string' ? type : undefined, body: res.body };
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if (code === 'UND_ERR_INVALID_ARG') throw err;
          this.markDead(node);
          if (timedOut) throw new UpstreamTimeoutError(`Elasticsearch did not answer within ${this.opts.timeoutMs} ms`, { cause: err });
          if (typeof code === 'string' && TIMEOUTS.has(code)) throw err;
          if (tried.length >= this.nodes.length) throw err;
        }
      }
    } finally {
      if (!answered) clearTimeout(timer);
    }
  }

  /** Closes every node's connections. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.pool.close()));
  }

  /** The next live node not tried yet in this call; if none is live, the untried one due back first. */
  private pick(tried: readonly Node[]): Node | undefined {
    const n = this.nodes.length;
    if (n === 1) return tried.length === 0 ? this.nodes[0] : undefined;
    const now = Date.now();
    for (let i = 0; i < n; i++) {
      const at = (this.next + i) % n;
      const node = this.nodes[at]!;
      if (node.deadUntil <= now && !tried.includes(node)) {
        this.next = (at + 1) % n;
        return node;
      }
    }
    let best: Node | undefined;
    for (const node of this.nodes) if (!tried.includes(node) && (best === undefined || node.deadUntil < best.deadUntil)) best = node;
    return best;
  }

  private markDead(node: Node): void {
    if (this.nodes.length === 1) return;
    node.deaths++;
    node.deadUntil = Date.now() + Math.min(DEAD_MAX_MS, DEAD_BASE_MS * 2 ** Math.min(node.deaths - 1, 16));
  }

  /** For tests and health output: which nodes are dead now. */
  deadNodes(): string[] {
    const now = Date.now();
    return this.nodes.filter((n) => n.deadUntil > now).map((n) => n.origin);
  }
}

/** `k=v&…`, each part encoded; '' for none. */
export function encodeQuery(params: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [k, v] of Object.entries(params)) out += `${out === '' ? '' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
  return out;
}
