import { compileValidator, isJsonObject, ValidationError } from '@takedown/shared';
import type { BulkEntry, BulkOp } from './bulk-parse';

/** One write, resolved and checked, ready for the ingest batch. */
export interface WriteItem {
  op: BulkOp;
  index: string;
  id: string;
  /** index and create: the document (its `moderation` already taken out). */
  source?: Record<string, unknown>;
  /**
   * index and create, when the document carried no `moderation`: its JSON as
   * sent, so the write splices the moderation fields in instead of
   * serialising the document again. JSON.parse accepted it, and
   * Elasticsearch reads any such line the same way (it refuses duplicate keys).
   */
  raw?: string;
  /** update: the partial document and the upsert options. */
  update?: { doc?: Record<string, unknown>; upsert?: Record<string, unknown>; docAsUpsert: boolean; detectNoop: boolean };
  /** The caller's own optimistic concurrency, passed on as Elasticsearch would apply it. */
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
  /** The caller sent moderation.* fields: ignored (only Takedown writes them), counted. */
  moderationIgnored: boolean;
  /** Size of the document as sent (UTF-8 bytes, about): bounds how many go in one round. */
  bytes: number;
}

/** An item refused before it reaches Elasticsearch, answered in Elasticsearch's per-item error shape. */
export interface ItemError {
  op: string;
  index?: string;
  id?: string;
  status: number;
  type: string;
  reason: string;
}

export type ResolvedItem = { ok: true; item: WriteItem } | { ok: false; error: ItemError };

/** Content ids as reports and cases name them: the same ids everywhere in Takedown. */
export const CONTENT_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** Metadata keys an action may carry. Everything else (routing, pipeline, version, dynamic_templates, …) is refused. */
const META_KEYS: Readonly<Record<BulkOp, ReadonlySet<string>>> = {
  index: new Set(['_index', '_id', 'if_seq_no', 'if_primary_term', 'require_alias', 'op_type']),
  create: new Set(['_index', '_id', 'require_alias']),
  update: new Set(['_index', '_id', 'if_seq_no', 'if_primary_term', 'require_alias', 'retry_on_conflict']),
  delete: new Set(['_index', '_id', 'if_seq_no', 'if_primary_term']),
};

/** Why each refused metadata key is refused, for the error the indexer reads. */
const REFUSED_WHY: Readonly<Record<string, string>> = {
  routing: 'custom routing would hide the document from the id lookups takedowns rely on',
  pipeline: 'an ingest pipeline could rewrite the document after it was scanned',
  version: 'external versioning cannot combine with the concurrency control that keeps moderation state',
  version_type: 'external versioning cannot combine with the concurrency control that keeps moderation state',
  dynamic_templates: 'dynamic templates are not accepted through ingest',
};

/** Update body keys accepted: scripts are refused (a script could set moderation.* after the scan). */
const UPDATE_KEYS = new Set(['doc', 'upsert', 'doc_as_upsert', 'detect_noop']);

/** Deepest nesting accepted in a document (Elasticsearch's own mapping depth limit is 20). */
export const MAX_DEPTH = 100;

/**
 * The fields Takedown reads from a post, checked before they are scanned.
 * Other fields are the platform's: Elasticsearch's mapping judges them.
 */
const hash = { type: 'string', pattern: '^[A-Fa-f0-9]{64}$' } as const;
const mediaItem = { type: 'object', properties: { sha256: hash, pdq: hash } } as const;
const validateScanned = compileValidator<Record<string, unknown>>(
  {
    type: 'object',
    properties: {
      text: { type: 'string' },
      lang: { type: 'string', maxLength: 35 },
      // Elasticsearch indexes one object and an array of them alike, and a dotted key as the same field.
      media: { anyOf: [{ type: 'array', maxItems: 100, items: mediaItem }, mediaItem] },
      'media.sha256': { anyOf: [hash, { type: 'array', maxItems: 100, items: hash }] },
      // PDQ (64 hex) beside sha256, checked alike: a malformed hash is refused, never silently unscanned.
      'media.pdq': { anyOf: [hash, { type: 'array', maxItems: 100, items: hash }] },
    },
  },
  'document',
);

/** Nesting depth of a JSON value, walked without recursion and stopped early past `limit`. */
export function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
  return false;
}

/** A top-level key that names Takedown's fields: `moderation`, or a dotted `moderation.…` (Elasticsearch expands those into the same object). */
const isModerationKey = (k: string) => k === 'moderation' || k.startsWith('moderation.');

/** The document without `moderation` (only Takedown writes it), and whether there was one. */
function withoutModeration(doc: Record<string, unknown>): { doc: Record<string, unknown>; had: boolean } {
  if (!Object.keys(doc).some(isModerationKey)) return { doc, had: false };
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (!isModerationKey(k)) rest[k] = v;
  return { doc: rest, had: true };
}

/** Checks a document Takedown is about to scan; the error names the field. */
export function checkDocument(doc: Record<string, unknown>): string | undefined {
  if (depthExceeds(doc, MAX_DEPTH)) return `the document is nested deeper than ${MAX_DEPTH} levels`;
  try {
    validateScanned(doc);
  } catch (err) {
    if (err instanceof ValidationError) return `[${(err.field ?? '').replace(/^\//, '').replace(/\//g, '.')}] ${err.message.replace(/^document: \S+ /, '')}`;
    throw err;
  }
  return undefined;
}

const seqNo = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);

/**
 * Resolves one parsed bulk entry: the target index (only the content index
 * is writable), the id (required: moderation is keyed by content id), the
 * metadata and the document, each checked. Refusals name what was wrong.
 */
export function resolveItem(entry: BulkEntry, defaultIndex: string | undefined, contentIndex: string): ResolvedItem {
  if (entry.kind === 'error') {
    const index = typeof entry.meta?.['_index'] === 'string' ? entry.meta['_index'] : defaultIndex;
    const id = typeof entry.meta?.['_id'] === 'string' ? entry.meta['_id'] : undefined;
    return { ok: false, error: { op: entry.op, ...(index ? { index } : {}), ...(id ? { id } : {}), status: entry.status, type: entry.type, reason: entry.reason } };
  }
  const { op, meta } = entry;
  const rawIndex = meta['_index'] ?? defaultIndex;
  const rawId = meta['_id'];
  const refuse = (status: number, type: string, reason: string): ResolvedItem => ({
    ok: false,
    error: { op, ...(typeof rawIndex === 'string' ? { index: rawIndex } : {}), ...(typeof rawId === 'string' ? { id: rawId } : {}), status, type, reason },
  });
  for (const k of Object.keys(meta)) {
    if (!META_KEYS[op].has(k)) {
      return refuse(400, 'takedown_parameter_refused_exception', `[${k.slice(0, 60)}] is not accepted on a ${op} action${Object.hasOwn(REFUSED_WHY, k) ? `: ${REFUSED_WHY[k]}` : ''}`);
    }
  }
  if (rawIndex === undefined) return refuse(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
  if (rawIndex !== contentIndex) {
    return refuse(403, 'takedown_index_refused_exception', `index [${String(rawIndex).slice(0, 100)}] is not writable through Takedown; only the content index is`);
  }
  if (typeof rawId !== 'string' || rawId === '') {
    return refuse(400, 'action_request_validation_exception', 'Validation Failed: 1: an _id is required: Takedown keys moderation by content id;');
  }
  if (!CONTENT_ID.test(rawId)) {
    return refuse(400, 'illegal_argument_exception', 'document ids are 1–200 letters, digits and . _ : - (the ids reports and cases name)');
  }
  if (meta['op_type'] !== undefined && meta['op_type'] !== 'index' && meta['op_type'] !== 'create') {
    return refuse(400, 'illegal_argument_exception', 'op_type must be index or create');
  }
  const ifSeqNo = seqNo(meta['if_seq_no']);
  const ifPrimaryTerm = seqNo(meta['if_primary_term']);
  if ((meta['if_seq_no'] !== undefined && ifSeqNo === undefined) || (meta['if_primary_term'] !== undefined && ifPrimaryTerm === undefined) || (ifSeqNo === undefined) !== (ifPrimaryTerm === undefined)) {
    return refuse(400, 'action_request_validation_exception', 'Validation Failed: 1: if_seq_no and if_primary_term go together, as non-negative integers;');
  }
  const base = { op: meta['op_type'] === 'create' ? ('create' as const) : op, index: contentIndex, id: rawId, ...(ifSeqNo !== undefined ? { ifSeqNo, ifPrimaryTerm } : {}), bytes: entry.sourceBytes };
  if (op === 'delete') return { ok: true, item: { ...base, moderationIgnored: false } };

  if (!isJsonObject(entry.source)) return refuse(400, 'document_parsing_exception', 'the source must be a JSON object');
  if (op === 'index' || op === 'create') {
    const { doc, had } = withoutModeration(entry.source);
    const problem = checkDocument(doc);
    if (problem) return refuse(400, 'document_parsing_exception', problem);
    return { ok: true, item: { ...base, source: doc, ...(!had && entry.raw !== undefined ? { raw: entry.raw } : {}), moderationIgnored: had } };
  }

  // update
  const body = entry.source;
  for (const k of Object.keys(body)) {
    if (!UPDATE_KEYS.has(k)) {
      return refuse(400, 'takedown_parameter_refused_exception', `[${k.slice(0, 60)}] is not accepted in an update: ${k === 'script' || k === 'scripted_upsert' ? 'a script could change moderation state after the scan; send the document' : 'use doc, upsert, doc_as_upsert or detect_noop'}`);
    }
  }
  if (body['doc'] !== undefined && !isJsonObject(body['doc'])) return refuse(400, 'document_parsing_exception', '[doc] must be an object');
  if (body['upsert'] !== undefined && !isJsonObject(body['upsert'])) return refuse(400, 'document_parsing_exception', '[upsert] must be an object');
  // As Elasticsearch: an update needs a doc (scripts are refused), upsert or not.
  if (body['doc'] === undefined) return refuse(400, 'action_request_validation_exception', 'Validation Failed: 1: script or doc is missing;');
  for (const k of ['doc_as_upsert', 'detect_noop']) {
    if (body[k] !== undefined && typeof body[k] !== 'boolean') return refuse(400, 'document_parsing_exception', `[${k}] must be true or false`);
  }
  let moderationIgnored = false;
  const update: NonNullable<WriteItem['update']> = { docAsUpsert: body['doc_as_upsert'] === true, detectNoop: body['detect_noop'] !== false };
  for (const k of ['doc', 'upsert'] as const) {
    const part = body[k] as Record<string, unknown> | undefined;
    if (!part) continue;
    const { doc, had } = withoutModeration(part);
    moderationIgnored ||= had;
    if (depthExceeds(doc, MAX_DEPTH)) return refuse(400, 'document_parsing_exception', `[${k}] is nested deeper than ${MAX_DEPTH} levels`);
    update[k] = doc;
  }
  return { ok: true, item: { ...base, update, moderationIgnored } };
}

/**
 * Merges a partial document into a source as Elasticsearch's `doc` update
 * does: objects merge key by key, everything else (arrays included) is
 * replaced. Bounded by the depth already checked.
 */
export function mergeDoc(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    const current = Object.hasOwn(out, k) ? out[k] : undefined;
    // Own data properties, always: a "__proto__" key is a field here, as it is to Elasticsearch.
    Object.defineProperty(out, k, { value: isJsonObject(v) && isJsonObject(current) ? mergeDoc(current, v) : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A document's JSON with the moderation fields added as its last member (the document has none of its own). */
export function withModerationJson(raw: string, empty: boolean, moderation: unknown): string {
  const m = JSON.stringify(moderation);
  if (empty) return `{"moderation":${m}}`;
  const end = raw.lastIndexOf('}');
  return `${raw.slice(0, end)},"moderation":${m}${raw.slice(end)}`;
}
