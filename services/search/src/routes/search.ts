import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type IRouter, type Request, type RequestHandler, type Response } from 'express';
import { ES_OUTAGE_TYPES, EsRefusal, UnavailableError, esErrorTypes, safeEsError } from '@takedown/shared';
import type { SearchDeps } from '../deps';
import { SEARCH_BODY_LIMIT, readText } from '../body-limits';
import { encodeQuery } from '../upstream-client';
import { assertFit, callerContext, filterBody, parseJsonBody } from '../filter-search';

/**
 * Query-string parameters passed to Elasticsearch. Everything else is
 * refused: `q` (a query outside the body, so outside the rewriter),
 * `search_pipeline`, `routing`, `preference` (shard and pipeline tricks),
 * `scroll`, `stored_fields`, `ignore_unavailable`/`expand_wildcards`
 * (index resolution), `ccs_minimize_roundtrips` and friends.
 * `search_type` may only be query_then_fetch: dfs_query_then_fetch first
 * gathers term statistics from every document of the shard, removed ones
 * included, and scores with them. `allow_partial_search_results` is
 * accepted and always sent as false (see FORCED_PARAMS).
 */
export const ALLOWED_PARAMS: Record<'_search' | '_count' | '_msearch', ReadonlySet<string>> = {
  _search: new Set(['typed_keys', 'rest_total_hits_as_int', 'track_total_hits', 'timeout', 'filter_path', 'pretty', 'human', 'request_cache', 'batched_reduce_size', 'search_type', 'max_concurrent_shard_requests', 'pre_filter_shard_size', 'allow_partial_search_results', 'error_trace']),
  _count: new Set(['filter_path', 'pretty', 'human', 'error_trace']),
  _msearch: new Set(['typed_keys', 'rest_total_hits_as_int', 'filter_path', 'pretty', 'human', 'max_concurrent_searches', 'max_concurrent_shard_requests', 'pre_filter_shard_size', 'search_type', 'error_trace']),
};

/** The only search_type accepted, in the URL and in msearch headers. */
export const SEARCH_TYPE = 'query_then_fetch';

const BOOLEAN = /^(true|false|)$/;
const COUNT = /^[1-9][0-9]{0,5}$/;

/**
 * The values each accepted parameter may take, checked here so a bad one
 * is a 400 naming the parameter rather than Elasticsearch's message.
 */
const PARAM_VALUES: Readonly<Record<string, RegExp>> = {
  typed_keys: BOOLEAN,
  rest_total_hits_as_int: BOOLEAN,
  pretty: BOOLEAN,
  human: BOOLEAN,
  error_trace: BOOLEAN,
  request_cache: BOOLEAN,
  allow_partial_search_results: BOOLEAN,
  track_total_hits: /^(true|false|0|[1-9][0-9]{0,8})$/,
  timeout: /^(-1|0|[1-9][0-9]{0,8}(nanos|micros|ms|s|m|h|d))$/,
  filter_path: /^[A-Za-z0-9_.*,-]{1,500}$/,
  batched_reduce_size: COUNT,
  max_concurrent_shard_requests: COUNT,
  pre_filter_shard_size: COUNT,
  max_concurrent_searches: COUNT,
  search_type: new RegExp(`^${SEARCH_TYPE}$`),
};

/**
 * Parameters Takedown sets on every upstream call, whatever the caller
 * sent. With partial results allowed, a failing shard still gives a 200
 * whose `_shards.failures` carry Elasticsearch's text, and a single
 * search's 200 is streamed unread; without, the failure is an error
 * response, which upstream() retells in our words.
 */
export const FORCED_PARAMS: Record<'_search' | '_count' | '_msearch', Readonly<Record<string, string>>> = {
  _search: { allow_partial_search_results: 'false' },
  _count: {},
  _msearch: {},
};

export function checkIndex(deps: SearchDeps, index: unknown, field = 'index'): string {
  if (typeof index !== 'string' || !deps.indices.has(index)) {
    // Wildcards, comma lists, _all, remote clusters (a:b), hidden (.x) and unknown names all land here.
    const shown = typeof index === 'string' ? index.slice(0, 100) : typeof index;
    throw new EsRefusal(403, 'takedown_index_refused_exception', `index [${shown}] is not searchable through Takedown; only the configured content indices are`, 'index', {}, field);
  }
  return index;
}

/** `query`: the parsed query string (express's req.query, or the same parse on the fast path). */
export function checkParams(query: Readonly<Record<string, unknown>>, endpoint: keyof typeof ALLOWED_PARAMS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    if (!ALLOWED_PARAMS[endpoint].has(k) || typeof v !== 'string') {
      throw new EsRefusal(400, 'takedown_parameter_refused_exception', `query parameter [${k.slice(0, 60)}] is not accepted on ${endpoint}`, 'parameter', {}, k.slice(0, 60));
    }
    if (k === 'search_type' && v !== SEARCH_TYPE) {
      throw new EsRefusal(400, 'takedown_parameter_refused_exception', `search_type [${v.slice(0, 40)}] is not accepted; only ${SEARCH_TYPE} (dfs collects term statistics from hidden documents too)`, 'parameter', {}, k);
    }
    if (Object.hasOwn(PARAM_VALUES, k) && !PARAM_VALUES[k]!.test(v)) {
      throw new EsRefusal(400, 'illegal_argument_exception', `query parameter [${k}] has a value it does not take`, 'parameter', {}, k);
    }
    out[k] = v;
  }
  return { ...out, ...FORCED_PARAMS[endpoint] };
}

/** An empty search result (for a blocked query) with the takedown notice. */
export function blockedSearch(b: { ruleId: string; category: string; reason: string; feature?: string; path?: string; legalReference?: string }): Record<string, unknown> {
  // A feature switch's refusal also names the feature, the clause (JSON pointer) and the legal reference.
  const feature = b.feature === undefined ? {} : { feature: b.feature, path: b.path ?? '', ...(b.legalReference ? { legalReference: b.legalReference } : {}) };
  return {
    took: 0,
    timed_out: false,
    _shards: { total: 0, successful: 0, skipped: 0, failed: 0 },
    hits: { total: { value: 0, relation: 'eq' }, max_score: null, hits: [] },
    takedown: { blocked: true, category: b.category, reason: b.reason, ruleId: b.ruleId, ...feature },
  };
}

/**
 * Calls Elasticsearch through the lean client (upstream-client.ts); its
 * errors never pass through verbatim (they can quote the rewritten query).
 * The body is serialised here, once (JSON, or NDJSON lines with `ndjson`).
 * With `stream`, a 2xx body comes back as the raw byte stream, relayed to
 * the caller without being parsed and re-encoded; without, it is parsed
 * (msearch reads the answers). An error status is read and retold.
 */
export async function upstream(
  deps: SearchDeps,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  querystring: Record<string, string>,
  opts: { ndjson?: boolean; stream?: boolean } = {},
): Promise<{ status: number; body: unknown; contentType?: string }> {
  const text = serialise(body, opts.ndjson === true);
  const t0 = process.hrtime.bigint();
  try {
    // Bounded and not sent again after a timeout: a hung Elasticsearch answers 503 within the search budget.
    const res = await deps.upstream.request(method, path, encodeQuery(querystring), text, opts.ndjson === true);
    if (res.status >= 300) throw await refusalOf(res.status, res.body);
    const contentType = res.contentType;
    if (opts.stream === true) return { status: res.status, body: res.body, ...(contentType ? { contentType } : {}) };
    return { status: res.status, body: await parsedAnswer(res.body), ...(contentType ? { contentType } : {}) };
  } catch (err) {
    if (err instanceof EsRefusal || err instanceof UnavailableError) throw err;
    throw new UnavailableError('Elasticsearch is unavailable', 'upstream_unavailable', { cause: err });
  } finally {
    deps.metrics.upstream.observe(Number(process.hrtime.bigint() - t0) / 1e9);
  }
}

/** The one serialise of a rewritten body (NDJSON: one line per item, each ended by a newline). */
function serialise(body: unknown, ndjson: boolean): string {
  try {
    if (!ndjson) return JSON.stringify(body ?? {});
    let out = '';
    for (const line of body as unknown[]) out += `${JSON.stringify(line)}\n`;
    return out;
  } catch {
    // Nesting past what JSON.stringify survives: the request, not an outage.
    throw new EsRefusal(400, 'parse_exception', 'the search body could not be encoded for Elasticsearch (nested too deep?)', 'unencodable_body', {}, '');
  }
}

/** A whole answer, parsed; an answer that is not JSON is Elasticsearch failing (503), as the Elasticsearch client had it. */
async function parsedAnswer(body: Readable): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new UnavailableError('Elasticsearch answered with a body that is not JSON', 'upstream_unavailable', { cause: err });
  }
}

/**
 * Elasticsearch's error answer, retold: a 4xx we recognise is the caller's
 * request (a 400 in our words, naming the field when we know it); another
 * 4xx keeps its status and only its type; a 5xx is an outage (503).
 */
async function refusalOf(status: number, body: unknown): Promise<EsRefusal | UnavailableError> {
  if (status > 500) return new UnavailableError(`Elasticsearch failed (${status})`, 'upstream_unavailable');
  const cause = await errorOf(body);
  if (status === 500) {
    // A 500 whose causes are all about this search (a cast, a missing value, an illegal state) is the search's fault,
    // and answering 503 would let any caller make the service look down; a 500 from nodes or shards is an outage.
    const types = esErrorTypes(cause);
    if (types.length === 0 || types.some((t) => ES_OUTAGE_TYPES.test(t))) return new UnavailableError('Elasticsearch failed (500)', 'upstream_unavailable');
    return new EsRefusal(400, safeEsError(cause).type, 'Elasticsearch could not run this search on this index (a field of the wrong kind for an option, or a value it lacks)', 'search_failed', {}, '');
  }
  const safe = safeEsError(cause);
  if (safe.code !== undefined) return new EsRefusal(400, safe.type, safe.reason, safe.code, {}, safe.field ?? '');
  return new EsRefusal(status, safe.type, safe.reason, 'upstream', {}, '');
}

/** An error answer read this far at most: enough for Elasticsearch's error object, never a whole result. */
const MAX_ERROR_BYTES = 256 * 1024;

/** The `error` object of an Elasticsearch error body (parsed, or a stream when asked for one). */
async function errorOf(body: unknown): Promise<unknown> {
  let parsed = body;
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of body) {
      const b = Buffer.from(c as Buffer);
      size += b.length;
      if (size > MAX_ERROR_BYTES) {
        body.destroy();
        break;
      }
      chunks.push(b);
    }
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      parsed = undefined;
    }
  } else if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      parsed = undefined;
    }
  }
  return (parsed as { error?: unknown } | undefined)?.error;
}

/** The parsed body; malformed JSON names the body as a whole ('') as the field at fault. */
function bodyOf(raw: unknown): unknown {
  try {
    return parseJsonBody(raw);
  } catch (err) {
    if (err instanceof EsRefusal && err.field === undefined) throw new EsRefusal(err.status, err.type, err.message, err.code, err.extra, '');
    throw err;
  }
}

export function sendEs(res: Response, status: number, body: unknown): void {
  res.status(status).set('X-Elastic-Product', 'Elasticsearch').json(body);
}

/** An upstream answer up to this size is gathered and sent in one write; a larger one is streamed. */
export const RELAY_BUFFER_BYTES = 256 * 1024;

/**
 * Sends Elasticsearch's 2xx answer on, bytes unread: gathered and sent in
 * one write with its Content-Length (no chunked encoding and its closing
 * write), or, past RELAY_BUFFER_BYTES, what was gathered and then the rest
 * streamed.
 */
export function relay(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // The error listener stays: a stream without one would throw from an error after this point.
    const stop = () => {
      body.off('data', onData);
      body.off('end', onEnd);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= RELAY_BUFFER_BYTES) return;
      stop();
      body.pause();
      for (const c of chunks) res.write(c);
      pipeline(body, res).then(resolve, reject);
    };
    const onEnd = () => {
      stop();
      res.setHeader('Content-Length', size);
      res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      resolve();
    };
    // As when the answer was streamed: the 200's headers go out and the connection is cut (esErrorHandler), so the
    // caller's read fails rather than ending on a truncated body.
    const onError = (err: unknown) => {
      stop();
      if (!res.headersSent) res.flushHeaders();
      reject(err);
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
  });
}

/** What one search or count comes to: a blocked answer of ours, or Elasticsearch's answer to stream on. */
export type SearchOutcome =
  | { kind: 'blocked'; category: string; body: Record<string, unknown> }
  | { kind: 'upstream'; out: { status: number; body: unknown; contentType?: string } };

/**
 * One search or count, from what the request carries (its index path
 * segment, parsed query string, headers and raw body), checked, guarded,
 * rewritten and sent on: shared by the express routes and the fast path,
 * so both answer alike.
 */
export async function searchOnce(deps: SearchDeps, endpoint: '_search' | '_count', rawIndex: unknown, query: Readonly<Record<string, unknown>>, header: (name: string) => string | undefined, rawBody: unknown): Promise<SearchOutcome> {
  const index = checkIndex(deps, rawIndex);
  const params = checkParams(query, endpoint);
  assertFit(deps);
  const caller = callerContext(header);
  const body = bodyOf(rawBody);
  const result = await filterBody(deps, body, caller, index);
  if (result.blocked) {
    deps.metrics.blocked.inc({ category: result.category, rule: result.ruleId });
    const answer = endpoint === '_count' ? { count: 0, _shards: { total: 0, successful: 0, skipped: 0, failed: 0 }, takedown: blockedSearch(result)['takedown'] } : blockedSearch(result);
    return { kind: 'blocked', category: result.category, body: answer };
  }
  const upstreamBody = endpoint === '_count' ? { query: result.body['query'] } : result.body;
  return { kind: 'upstream', out: await upstream(deps, 'POST', `/${encodeURIComponent(index)}/${endpoint}`, upstreamBody, params, { stream: true }) };
}

/** Sends a search outcome; `res` is express's (the fast path upgrades to it for a blocked answer). */
export async function sendOutcome(res: Response, outcome: SearchOutcome): Promise<void> {
  if (outcome.kind === 'blocked') {
    res.set('X-Takedown-Blocked', outcome.category);
    sendEs(res, 200, outcome.body);
    return;
  }
  res.status(outcome.out.status).set('X-Elastic-Product', 'Elasticsearch').type(outcome.out.contentType ?? 'application/json');
  await relay(outcome.out.body as Readable, res);
}

/**
 * GET|POST /{index}/_search and /{index}/_count, on `r` (the app itself:
 * no nested router to walk), each behind `before` (the authentication)
 * and then its body reader. Most searches never get here: the fast path
 * (fast-path.ts) serves them with the same steps, outside express.
 */
export function searchRoutes(deps: SearchDeps, r: IRouter = Router(), before: RequestHandler[] = []): IRouter {
  for (const endpoint of ['_search', '_count'] as const) {
    const handler = async (req: Request, res: Response) => {
      await sendOutcome(res, await searchOnce(deps, endpoint, req.params['index'], req.query, (name) => req.get(name), req.body));
    };
    const read = readText(SEARCH_BODY_LIMIT);
    r.get(`/:index/${endpoint}`, ...before, read, handler);
    r.post(`/:index/${endpoint}`, ...before, read, handler);
  }
  return r;
}
