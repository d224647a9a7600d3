import { Router, type Request, type Response } from 'express';
import type { SearchDeps } from '../deps';
import { EsRefusal } from '@takedown/shared';
import { assertFit, callerContext, filterBody } from '../filter-search';
import { blockedSearch, checkIndex, checkParams, sendEs, upstream } from './search';

/** Header keys a line of an msearch may carry. */
const HEADER_KEYS = new Set(['index', 'search_type', 'request_cache', 'allow_partial_search_results']);

/**
 * POST /_msearch and /{index}/_msearch: every header checked (index, keys),
 * every body guarded and rewritten. Blocked lines are answered here and the
 * rest sent in one upstream msearch; the answers are merged back in order.
 * One refused line refuses the whole request: partial filtering is not a
 * state worth reasoning about.
 */
export function msearchRoutes(deps: SearchDeps): Router {
  const r = Router();
  const handler = async (req: Request, res: Response) => {
    const pathIndex = req.params['index'] === undefined ? undefined : checkIndex(deps, req.params['index']);
    const params = checkParams(req, '_msearch');
    assertFit(deps);
    const caller = callerContext(req);
    const raw = typeof req.body === 'string' ? req.body : '';
    const lines = raw.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0 || lines.length % 2 !== 0) {
      throw new EsRefusal(400, 'illegal_argument_exception', 'msearch takes header and body lines in pairs', 'bad_msearch');
    }
    const answers: (Record<string, unknown> | undefined)[] = [];
    const forward: object[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const n = i / 2;
      let header: Record<string, unknown>;
      let body: unknown;
      try {
        header = JSON.parse(lines[i] as string) as Record<string, unknown>;
        body = JSON.parse(lines[i + 1] as string) as unknown;
      } catch {
        throw new EsRefusal(400, 'parse_exception', `msearch line ${i + 1} or ${i + 2} is not valid JSON`, 'bad_json');
      }
      if (typeof header !== 'object' || header === null || Array.isArray(header)) {
        throw new EsRefusal(400, 'parse_exception', `msearch header ${n} must be an object`, 'bad_msearch');
      }
      for (const k of Object.keys(header)) {
        if (!HEADER_KEYS.has(k)) throw new EsRefusal(400, 'takedown_parameter_refused_exception', `msearch header ${n}: [${k.slice(0, 60)}] is not accepted`, 'parameter');
      }
      const index = checkIndex(deps, header['index'] ?? pathIndex);
      const result = filterBody(deps, body, caller);
      if (result.blocked) {
        deps.metrics.blocked.inc({ category: result.category, rule: result.ruleId });
        answers.push({ ...blockedSearch(result), status: 200 });
      } else {
        answers.push(undefined);
        forward.push({ ...header, index }, result.body);
      }
    }
    let upstreamResponses: unknown[] = [];
    if (forward.length > 0) {
      const out = await upstream(deps, 'POST', '/_msearch', forward, params, { ndjson: true });
      upstreamResponses = (out.body as { responses?: unknown[] }).responses ?? [];
    }
    let k = 0;
    const responses = answers.map((a) => a ?? upstreamResponses[k++] ?? { status: 500, error: { type: 'takedown_missing_response', reason: 'no answer from Elasticsearch' } });
    if (answers.some((a) => a !== undefined)) res.set('X-Takedown-Blocked', 'partial');
    sendEs(res, 200, { took: 0, responses });
  };
  r.post('/_msearch', handler);
  r.get('/_msearch', handler);
  r.post('/:index/_msearch', handler);
  r.get('/:index/_msearch', handler);
  return r;
}
