import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { errors } from '@elastic/elasticsearch';
import { UnavailableError } from '@takedown/shared';
import type { SearchDeps } from '../deps';
import { EsRefusal } from '@takedown/shared';
import { assertFit, callerContext, filterBody, parseJsonBody } from '../filter-search';

/**
 * Query-string parameters passed to Elasticsearch. Everything else is
 * refused: `q` (a query outside the body, so outside the rewriter),
 * `search_pipeline`, `routing`, `preference` (shard and pipeline tricks),
 * `scroll`, `stored_fields`, `ignore_unavailable`/`expand_wildcards`
 * (index resolution), `ccs_minimize_roundtrips` and friends.
 */
export const ALLOWED_PARAMS: Record<'_search' | '_count' | '_msearch', ReadonlySet<string>> = {
  _search: new Set(['typed_keys', 'rest_total_hits_as_int', 'track_total_hits', 'timeout', 'filter_path', 'pretty', 'human', 'request_cache', 'batched_reduce_size', 'search_type', 'max_concurrent_shard_requests', 'pre_filter_shard_size', 'allow_partial_search_results', 'error_trace']),
  _count: new Set(['filter_path', 'pretty', 'human', 'error_trace']),
  _msearch: new Set(['typed_keys', 'rest_total_hits_as_int', 'filter_path', 'pretty', 'human', 'max_concurrent_searches', 'max_concurrent_shard_requests', 'pre_filter_shard_size', 'search_type', 'error_trace']),
};

export function checkIndex(deps: SearchDeps, index: unknown): string {
  if (typeof index !== 'string' || !deps.indices.has(index)) {
    // Wildcards, comma lists, _all, remote clusters (a:b), hidden (.x) and unknown names all land here.
    throw new EsRefusal(403, 'takedown_index_refused_exception', `index [${String(index).slice(0, 100)}] is not searchable through Takedown; only the configured content indices are`, 'index');
  }
  return index;
}

export function checkParams(req: Request, endpoint: keyof typeof ALLOWED_PARAMS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.query)) {
    if (!ALLOWED_PARAMS[endpoint].has(k) || typeof v !== 'string') {
      throw new EsRefusal(400, 'takedown_parameter_refused_exception', `query parameter [${k.slice(0, 60)}] is not accepted on ${endpoint}`, 'parameter');
    }
    if (k === 'search_type' && v !== 'query_then_fetch' && v !== 'dfs_query_then_fetch') {
      throw new EsRefusal(400, 'takedown_parameter_refused_exception', `search_type [${v.slice(0, 40)}] is not accepted`, 'parameter');
    }
    out[k] = v;
  }
  return out;
}

/** An empty search result (for a blocked query) with the takedown notice. */
export function blockedSearch(b: { ruleId: string; category: string; reason: string }): Record<string, unknown> {
  return {
    took: 0,
    timed_out: false,
    _shards: { total: 0, successful: 0, skipped: 0, failed: 0 },
    hits: { total: { value: 0, relation: 'eq' }, max_score: null, hits: [] },
    takedown: { blocked: true, category: b.category, reason: b.reason, ruleId: b.ruleId },
  };
}

/**
 * Calls Elasticsearch; its errors never pass through verbatim (they can
 * quote the rewritten query). With `stream`, a 2xx body comes back as the
 * raw byte stream, piped to the caller without being parsed and re-encoded.
 */
export async function upstream(
  deps: SearchDeps,
  method: string,
  path: string,
  body: unknown,
  querystring: Record<string, string>,
  opts: { ndjson?: boolean; stream?: boolean } = {},
): Promise<{ status: number; body: unknown; contentType?: string }> {
  const t0 = process.hrtime.bigint();
  try {
    const res = await deps.es.transport.request(
      { method, path, querystring, ...(opts.ndjson ? { bulkBody: body as object[] } : { body: body as Record<string, unknown> }) },
      { meta: true, asStream: opts.stream === true },
    );
    const contentType = (res.headers?.['content-type'] as string | undefined) ?? undefined;
    return { status: res.statusCode ?? 200, body: res.body, ...(contentType ? { contentType } : {}) };
  } catch (err) {
    if (err instanceof errors.ResponseError && (err.statusCode ?? 500) < 500) {
      const type = await errorType(err.body);
      throw new EsRefusal(err.statusCode ?? 400, type, `Elasticsearch refused the search (${type})`, 'upstream');
    }
    throw new UnavailableError('Elasticsearch is unavailable', 'upstream_unavailable', { cause: err });
  } finally {
    deps.metrics.upstream.observe(Number(process.hrtime.bigint() - t0) / 1e9);
  }
}

/** The error type of an Elasticsearch error body (parsed, or a stream when asked for one). */
async function errorType(body: unknown): Promise<string> {
  let parsed = body;
  if (body instanceof Readable) {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Buffer));
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      parsed = undefined;
    }
  }
  const type = (parsed as { error?: { type?: unknown } } | undefined)?.error?.type;
  return typeof type === 'string' && /^[a-z_]{1,80}$/.test(type) ? type : 'search_phase_execution_exception';
}

export function sendEs(res: Response, status: number, body: unknown): void {
  res.status(status).set('X-Elastic-Product', 'Elasticsearch').json(body);
}

/** GET|POST /{index}/_search and /{index}/_count. */
export function searchRoutes(deps: SearchDeps): Router {
  const r = Router();
  for (const endpoint of ['_search', '_count'] as const) {
    const handler = async (req: Request, res: Response) => {
      const index = checkIndex(deps, req.params['index']);
      const params = checkParams(req, endpoint);
      assertFit(deps);
      const caller = callerContext(req);
      const body = parseJsonBody(req.body);
      const result = filterBody(deps, body, caller);
      if (result.blocked) {
        deps.metrics.blocked.inc({ category: result.category, rule: result.ruleId });
        res.set('X-Takedown-Blocked', result.category);
        sendEs(res, 200, endpoint === '_count' ? { count: 0, _shards: { total: 0, successful: 0, skipped: 0, failed: 0 }, takedown: blockedSearch(result)['takedown'] } : blockedSearch(result));
        return;
      }
      const upstreamBody = endpoint === '_count' ? { query: result.body['query'] } : result.body;
      const out = await upstream(deps, 'POST', `/${encodeURIComponent(index)}/${endpoint}`, upstreamBody, params, { stream: true });
      res.status(out.status).set('X-Elastic-Product', 'Elasticsearch').type(out.contentType ?? 'application/json');
      await pipeline(out.body as Readable, res);
    };
    r.get(`/:index/${endpoint}`, handler);
    r.post(`/:index/${endpoint}`, handler);
  }
  return r;
}
