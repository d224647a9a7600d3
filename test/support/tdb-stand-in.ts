import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { validateTdbStatement } from './tdb-rules';

/**
 * A local stand-in for the EU DSA Transparency Database's API, for what
 * Takedown uses: `POST /api/v1/statements` (bulk, 1–100, all or nothing)
 * and `POST /api/v1/statement` (single), Bearer token auth, puid unique per
 * platform (the token), answering in the database's shapes:
 * - bulk item errors: 422 `{"errors":{"statement_3":{"category":["…"]}}}`;
 * - bulk duplicate puids (stored already or repeated in the call): 422
 *   `{"message":…,"errors":{"puid":[…],"existing_puids":[…]}}`, nothing stored;
 * - single duplicate: 422 with `existing: {puid}`.
 * Test hooks fail, or hang, the next calls, and every call is recorded.
 */
export interface TdbStandIn {
  /** Base URL: the submitter posts to `${url}/api/v1/statements`. */
  url: string;
  token: string;
  /** Stored statements by puid, as the database keeps them (validated keys only). */
  stored: Map<string, Record<string, unknown> & { uuid: string }>;
  /** Every call, in order: path, status answered (0: hung) and how many statements it carried. */
  calls: { path: string; status: number; count: number; puids: string[] }[];
  /** The next `n` calls answer `status` (500, 503, 429…), with Retry-After (seconds) when given. */
  failNext(n: number, status: number, retryAfterSeconds?: number): void;
  /** The next `n` calls never answer; with `store`, their statements are stored first (the answer is what gets lost). */
  hangNext(n: number, o?: { store?: boolean }): void;
  /** Marks puids as stored already (by an earlier run, say). */
  preload(...puids: string[]): void;
  close(): Promise<void>;
}

/** A high surrogate escape not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

const MULTI_DUPLICATE = 'The platform identifier(s) are not all unique within this call.';
const SINGLE_DUPLICATE = 'The identifier given is not unique within this platform.';

export async function startTdbStandIn(o: { token?: string } = {}): Promise<TdbStandIn> {
  const token = o.token ?? `1|${randomUUID().replace(/-/g, '')}`;
  const stored: TdbStandIn['stored'] = new Map();
  const calls: TdbStandIn['calls'] = [];
  const failures: { status: number; retryAfter?: number }[] = [];
  const hangs: { store: boolean }[] = [];
  const sockets = new Set<Socket>();

  const store = (kept: Record<string, unknown>) => {
    const row = { ...kept, uuid: randomUUID(), created_at: new Date().toISOString().replace('T', ' ').slice(0, 19) };
    stored.set(String(kept['puid']), row);
    return row;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const send = (status: number, body: unknown, count: number, puids: string[], headers: Record<string, string> = {}) => {
        calls.push({ path, status, count, puids });
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      let body: unknown;
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        body = JSON.parse(raw || 'null');
      } catch {
        return send(400, { message: 'Malformed JSON.' }, 0, []);
      }
      // PHP's json_decode refuses a lone UTF-16 surrogate escape (JSON_ERROR_UTF16), which JSON.parse takes:
      // Laravel then sees no input at all, so the bulk call answers "statements required", naming no statement.
      if (LONE_SURROGATE_ESCAPE.test(raw)) body = {};
      const items: unknown[] = path === '/api/v1/statements' && isObject(body) && Array.isArray(body['statements']) ? body['statements'] : path === '/api/v1/statement' ? [body] : [];
      const puids = items.map((s) => (isObject(s) && typeof s['puid'] === 'string' ? s['puid'] : ''));
      if (req.method !== 'POST' || (path !== '/api/v1/statements' && path !== '/api/v1/statement')) return send(404, { message: 'Not Found' }, 0, []);
      if (req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Unauthenticated.' }, items.length, puids);

      const hang = hangs.shift();
      if (hang) {
        if (hang.store) for (const s of items) if (isObject(s)) store(validateTdbStatement(s).kept);
        calls.push({ path, status: 0, count: items.length, puids });
        return; // never answered: the client's timeout must end it
      }
      const failure = failures.shift();
      if (failure) return send(failure.status, { message: 'Service unavailable.' }, items.length, puids, failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {});

      if (path === '/api/v1/statement') {
        const { errors, kept } = validateTdbStatement(body);
        if (Object.keys(errors).length > 0) return send(422, laravelError(errors), 1, puids);
        if (stored.has(String(kept['puid']))) return send(422, { message: SINGLE_DUPLICATE, errors: { puid: [SINGLE_DUPLICATE] }, existing: { puid: kept['puid'] } }, 1, puids);
        return send(201, store(kept), 1, puids);
      }

      // Bulk: the top level first (statements: required|array|between:1,100), then each item, then the puids.
      if (!isObject(body) || !Array.isArray(body['statements']) || body['statements'].length < 1 || body['statements'].length > 100) {
        const message = !isObject(body) || !Array.isArray(body['statements']) ? 'The statements field is required.' : 'The statements field must have between 1 and 100 items.';
        return send(422, { message, errors: { statements: [message] } }, items.length, puids);
      }
      const itemErrors: Record<string, Record<string, string[]>> = {};
      const kept = items.map((s, i) => {
        const r = validateTdbStatement(s);
        if (Object.keys(r.errors).length > 0) itemErrors[`statement_${i}`] = r.errors;
        return r.kept;
      });
      if (Object.keys(itemErrors).length > 0) return send(422, { errors: itemErrors }, items.length, puids);
      const seen = new Set<string>();
      const duplicates = new Set<string>();
      for (const s of kept) {
        const p = String(s['puid']);
        if (seen.has(p) || stored.has(p)) duplicates.add(p);
        seen.add(p);
      }
      if (duplicates.size > 0) return send(422, { message: MULTI_DUPLICATE, errors: { puid: [MULTI_DUPLICATE], existing_puids: [...duplicates] } }, items.length, puids);
      return send(201, { statements: kept.map(store) }, items.length, puids);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    stored,
    calls,
    failNext(n, status, retryAfterSeconds) {
      for (let i = 0; i < n; i++) failures.push(retryAfterSeconds === undefined ? { status } : { status, retryAfter: retryAfterSeconds });
    },
    hangNext(n, h = {}) {
      for (let i = 0; i < n; i++) hangs.push({ store: h.store === true });
    },
    preload(...puids) {
      for (const p of puids) stored.set(p, { puid: p, uuid: randomUUID() });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Laravel's standard 422: the first message, "(and N more errors)", and the errors by field. */
function laravelError(errors: Record<string, string[]>): { message: string; errors: Record<string, string[]> } {
  const all = Object.values(errors).flat();
  const more = all.length - 1;
  return { message: `${all[0] ?? 'The given data was invalid.'}${more > 0 ? ` (and ${more} more error${more > 1 ? 's' : ''})` : ''}`, errors };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
