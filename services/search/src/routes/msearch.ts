import { Router, type Request, type Response } from 'express';
import type { SearchDeps } from '../deps';
import { EsRefusal, isJsonObject, safeEsError } from '@takedown/shared';
import { MSEARCH_BODY_LIMIT, readText } from '../body-limits';
import { CHECK_BUDGET } from '@takedown/search-rules';
import { assertFit, callerContext, filterBody } from '../filter-search';
import { SEARCH_TYPE, blockedSearch, checkIndex, checkParams, sendEs, upstream } from './search';

/** Searches one msearch may carry. */
export const MSEARCH_MAX_SEARCHES = 100;

/**
 * Header keys a line of an msearch may carry, each with the only type of
 * value it takes (scalars only: a value nested thousands deep is refused
 * before anything walks it). search_type is query_then_fetch only, as in
 * the URL; allow_partial_search_results is accepted and always sent false.
 */
const HEADER_VALUES: Readonly<Record<string, { type: 'string' | 'boolean'; only?: string }>> = {
  index: { type: 'string' },
  search_type: { type: 'string', only: SEARCH_TYPE },
  request_cache: { type: 'boolean' },
  allow_partial_search_results: { type: 'boolean' },
};

/** A refusal about line `line` (1-based, as the caller sent it) at `field` within it. */
function lineRefusal(line: number, field: string, message: string, code = 'bad_msearch', type = 'illegal_argument_exception', status = 400): EsRefusal {
  return new EsRefusal(status, type, `msearch line ${line}: ${message}`, code, { takedown: { line } }, field);
}

function parseLine(text: string, line: number, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw lineRefusal(line, '', `the ${what} is not valid JSON`, 'bad_json', 'parse_exception');
  }
}

/** One header: an object of known keys, each a scalar of its type. */
function checkHeader(deps: SearchDeps, raw: unknown, line: number, pathIndex: string | undefined): Record<string, unknown> {
  if (!isJsonObject(raw)) throw lineRefusal(line, '', 'a header must be a JSON object');
  for (const [k, v] of Object.entries(raw)) {
    const key = k.slice(0, 60);
    if (!Object.hasOwn(HEADER_VALUES, k)) throw lineRefusal(line, `/${key}`, `header key [${key}] is not accepted`, 'parameter', 'takedown_parameter_refused_exception');
    const want = HEADER_VALUES[k]!;
    if (typeof v !== want.type) throw lineRefusal(line, `/${key}`, `header [${key}] must be a ${want.type}`);
    if (want.only !== undefined && v !== want.only) throw lineRefusal(line, `/${key}`, `header [${key}] may only be ${want.only}`, 'parameter', 'takedown_parameter_refused_exception');
  }
  try {
    const index = checkIndex(deps, raw['index'] ?? pathIndex, '/index');
    return { ...raw, index, allow_partial_search_results: false };
  } catch (err) {
    if (err instanceof EsRefusal) throw new EsRefusal(err.status, err.type, `msearch line ${line}: ${err.message}`, err.code, { takedown: { line } }, '/index');
    throw err;
  }
}

/**
 * One answer of Elasticsearch's msearch, with nothing of Elasticsearch's
 * text left: an error becomes { type, reason } in our words (as a single
 * search's does in upstream()), each shard failure's reason likewise.
 */
export function sanitiseItem(item: unknown): unknown {
  if (!isJsonObject(item)) return { status: 500, error: { type: 'takedown_missing_response', reason: 'no answer from Elasticsearch' } };
  if (item['error'] !== undefined) {
    const safe = safeEsError(item['error']);
    const status = typeof item['status'] === 'number' && item['status'] >= 400 && item['status'] < 600 ? item['status'] : 500;
    return { status: safe.code !== undefined && status < 500 ? 400 : status, error: { type: safe.type, reason: safe.reason } };
  }
  const shards = item['_shards'];
  if (!isJsonObject(shards) || !Array.isArray(shards['failures'])) return item;
  const failures = shards['failures'].map((f: unknown) => {
    const shard = isJsonObject(f) && typeof f['shard'] === 'number' ? { shard: f['shard'] } : {};
    const safe = safeEsError(isJsonObject(f) ? f['reason'] : undefined);
    return { ...shard, reason: { type: safe.type, reason: safe.reason } };
  });
  return { ...item, _shards: { ...shards, failures } };
}

/**
 * POST /_msearch and /{index}/_msearch: every header checked (index, keys,
 * value types), every body guarded and rewritten. Blocked lines are
 * answered here and the rest sent in one upstream msearch; the answers are
 * merged back in order. One refused line refuses the whole request:
 * partial filtering is not a state worth reasoning about. Refusals name
 * the line (as sent, 1-based) and the field within it.
 */
export function msearchRoutes(deps: SearchDeps): Router {
  const r = Router();
  const handler = async (req: Request, res: Response) => {
    const pathIndex = req.params['index'] === undefined ? undefined : checkIndex(deps, req.params['index']);
    const params = checkParams(req.query, '_msearch');
    assertFit(deps);
    const caller = callerContext((name) => req.get(name));
    const raw = typeof req.body === 'string' ? req.body : '';
    // Line numbers as the caller sent them: blank lines count, so the number finds the line in their file.
    const lines = raw
      .split('\n')
      .map((text, i) => ({ text, line: i + 1 }))
      .filter((l) => l.text.trim() !== '');
    if (lines.length === 0 || lines.length % 2 !== 0) {
      throw new EsRefusal(400, 'illegal_argument_exception', 'msearch takes header and body lines in pairs', 'bad_msearch', {}, '');
    }
    if (lines.length / 2 > MSEARCH_MAX_SEARCHES) {
      throw new EsRefusal(400, 'illegal_argument_exception', `msearch takes at most ${MSEARCH_MAX_SEARCHES} searches`, 'bad_msearch', {}, '');
    }
    const answers: (Record<string, unknown> | undefined)[] = [];
    const forward: object[] = [];
    const blockedBy: string[] = [];
    // One refusal-check budget for the whole request: many cheap-looking lines cannot add up to seconds of CPU.
    const checkBudget = { left: 2 * CHECK_BUDGET };
    for (let i = 0; i < lines.length; i += 2) {
      const h = lines[i]!;
      const b = lines[i + 1]!;
      const header = checkHeader(deps, parseLine(h.text, h.line, 'header'), h.line, pathIndex);
      const body = parseLine(b.text, b.line, 'body');
      let result: Awaited<ReturnType<typeof filterBody>>;
      try {
        result = await filterBody(deps, body, caller, header['index'] as string, checkBudget);
      } catch (err) {
        if (err instanceof EsRefusal) throw new EsRefusal(err.status, err.type, `msearch line ${b.line}: ${err.message}`, err.code, { ...err.extra, takedown: { line: b.line } }, err.field);
        throw err;
      }
      if (result.blocked) {
        deps.metrics.blocked.inc({ category: result.category, rule: result.ruleId });
        blockedBy.push(result.category);
        answers.push({ ...blockedSearch(result), status: 200 });
      } else {
        answers.push(undefined);
        forward.push(header, result.body);
      }
    }
    let upstreamResponses: unknown[] = [];
    if (forward.length > 0) {
      const out = await upstream(deps, 'POST', '/_msearch', forward, params, { ndjson: true });
      const got = (out.body as { responses?: unknown } | null)?.responses;
      upstreamResponses = Array.isArray(got) ? got : [];
    }
    let k = 0;
    const responses = answers.map((a) => a ?? sanitiseItem(upstreamResponses[k++]));
    if (answers.some((a) => a !== undefined)) res.set('X-Takedown-Blocked', 'partial');
    deps.metrics.msearchBlocked(res, blockedBy, forward.length > 0);
    sendEs(res, 200, { took: 0, responses });
  };
  r.post('/_msearch', readText(MSEARCH_BODY_LIMIT), handler);
  r.get('/_msearch', readText(MSEARCH_BODY_LIMIT), handler);
  r.post('/:index/_msearch', readText(MSEARCH_BODY_LIMIT), handler);
  r.get('/:index/_msearch', readText(MSEARCH_BODY_LIMIT), handler);
  return r;
}
