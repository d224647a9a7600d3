import { Router, type Request, type Response } from 'express';
import { EsRefusal, sendEsError } from '@takedown/shared';
import type { IngestDeps } from '../deps';
import { parseBulk, type BulkEntry, type BulkOp } from '../bulk-parse';
import { ingestBatch, type ItemResponse, type WriteParams } from '../ingest-batch';
import { resolveItem } from '../write-item';

/** Query parameters passed to Elasticsearch's write. */
const PASSED = new Set(['refresh', 'timeout', 'wait_for_active_shards']);
/** Accepted and without effect here (response formatting, or handled by Takedown itself). */
const HARMLESS = new Set(['pretty', 'human', 'error_trace', 'require_alias', 'retry_on_conflict']);
/** Per-document parameters that become the item's metadata. */
const META = new Set(['if_seq_no', 'if_primary_term', 'op_type']);

const REFRESH = new Set(['', 'true', 'false', 'wait_for']);

/**
 * Splits the query string into what goes to Elasticsearch and what becomes
 * item metadata; anything else is refused (routing, pipeline, versioning
 * and the like would let a write slip past the scan or its state).
 */
function readParams(req: Request, allowMeta: boolean): { params: WriteParams; meta: Record<string, unknown> } {
  const params: Record<string, string> = {};
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req.query)) {
    if (typeof v !== 'string') throw new EsRefusal(400, 'illegal_argument_exception', `query parameter [${k.slice(0, 60)}] is repeated or malformed`, 'parameter');
    if (PASSED.has(k)) {
      if (k === 'refresh' && !REFRESH.has(v)) throw new EsRefusal(400, 'illegal_argument_exception', 'refresh must be true, false or wait_for', 'parameter');
      if (k !== 'refresh' && !/^[0-9a-z]{1,12}$/.test(v)) throw new EsRefusal(400, 'illegal_argument_exception', `[${k}] is malformed`, 'parameter');
      params[k] = k === 'refresh' && v === '' ? 'true' : v;
    } else if (allowMeta && META.has(k)) {
      meta[k] = k === 'op_type' ? v : /^\d{1,18}$/.test(v) ? Number(v) : v;
    } else if (!HARMLESS.has(k) && !(k === 'detect_noop' && allowMeta)) {
      throw new EsRefusal(400, 'takedown_parameter_refused_exception', `query parameter [${k.slice(0, 60)}] is not accepted through Takedown ingest`, 'parameter');
    }
  }
  return { params: params as WriteParams, meta };
}

function checkIndex(deps: IngestDeps, index: unknown): string {
  if (index !== deps.config.contentIndex) {
    throw new EsRefusal(403, 'takedown_index_refused_exception', `index [${String(index).slice(0, 100)}] is not writable through Takedown; only the content index is`, 'index');
  }
  return index;
}

function parseDocBody(raw: unknown, maxBytes: number): { source: unknown; raw: string } {
  const text = typeof raw === 'string' ? raw : '';
  if (text.trim() === '') throw new EsRefusal(400, 'parse_exception', 'request body is required', 'bad_body');
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new EsRefusal(413, 'content_too_long_exception', `the document is larger than ${maxBytes} bytes`, 'too_large');
  try {
    return { source: JSON.parse(text) as unknown, raw: text };
  } catch {
    throw new EsRefusal(400, 'parse_exception', 'request body is not valid JSON', 'bad_json');
  }
}

/** A single-document answer: Elasticsearch's response body on success, its error shape otherwise (an item's outcome, not a refused request). */
function sendOne(res: Response, answer: ItemResponse): void {
  const r = Object.values(answer)[0] as Record<string, unknown>;
  const status = Number(r['status']);
  const error = r['error'] as { type: string; reason: string } | undefined;
  if (error) return sendEsError(res, status, error.type, error.reason, r['_index'] ? { index: r['_index'] } : {});
  const { status: _s, ...body } = r;
  res.status(status).set('X-Elastic-Product', 'Elasticsearch').json(body);
}

/**
 * The write API of an Elasticsearch 8 node, for the content index only:
 * index, create, update (with `doc`) and delete one document, and _bulk.
 * Every document is scanned before it is stored (ingestBatch).
 */
export function writeRoutes(deps: IngestDeps): Router {
  const r = Router();

  const one = (op: BulkOp) => async (req: Request, res: Response) => {
    const index = checkIndex(deps, req.params['index']);
    const id = req.params['id'];
    const { params, meta } = readParams(req, op !== 'create');
    const body = op === 'delete' ? undefined : parseDocBody(req.body, deps.config.maxDocBytes);
    // `?detect_noop=false` on _update is the body's "detect_noop": false.
    if (op === 'update' && req.query['detect_noop'] === 'false' && body && typeof body.source === 'object' && body.source !== null) (body.source as Record<string, unknown>)['detect_noop'] = false;
    const entry: BulkEntry = { kind: 'item', op, meta: { ...meta, _index: index, _id: id }, ...(body ? { source: body.source, ...(op !== 'update' ? { raw: body.raw } : {}) } : {}), sourceBytes: body?.raw.length ?? 0, line: 1 };
    const result = await ingestBatch(deps, [resolveItem(entry, index, deps.config.contentIndex)], params);
    sendOne(res, result.items[0] as ItemResponse);
  };
  r.put('/:index/_doc/:id', one('index'));
  r.post('/:index/_doc/:id', one('index'));
  r.put('/:index/_create/:id', one('create'));
  r.post('/:index/_create/:id', one('create'));
  r.post('/:index/_update/:id', one('update'));
  r.delete('/:index/_doc/:id', one('delete'));
  r.post('/:index/_doc', (req) => {
    checkIndex(deps, req.params['index']);
    throw new EsRefusal(400, 'action_request_validation_exception', 'Validation Failed: 1: an id is required: Takedown keys moderation by content id; use PUT /{index}/_doc/{id};', 'no_id');
  });

  const bulk = async (req: Request, res: Response) => {
    const pathIndex = req.params['index'] === undefined ? undefined : checkIndex(deps, req.params['index']);
    const { params } = readParams(req, false);
    const body = typeof req.body === 'string' ? req.body : '';
    if (body.trim() === '') throw new EsRefusal(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;', 'bad_body');
    const entries = parseBulk(body, deps.config.maxDocBytes);
    const result = await ingestBatch(deps, entries.map((e) => resolveItem(e, pathIndex, deps.config.contentIndex)), params);
    res.status(200).set('X-Elastic-Product', 'Elasticsearch').json(result);
  };
  r.post('/_bulk', bulk);
  r.put('/_bulk', bulk);
  r.post('/:index/_bulk', bulk);
  r.put('/:index/_bulk', bulk);
  return r;
}
