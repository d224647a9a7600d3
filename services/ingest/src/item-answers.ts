import type { ItemError, WriteItem } from './write-item';

/** One item's answer, as Elasticsearch's _bulk gives it: `{ "<action>": { _index, _id, status, … } }`. */
export type ItemResponse = Record<string, Record<string, unknown>>;

/**
 * Elasticsearch's per-item error, as the indexer may see it: its type, and
 * its reason cut before any quote of the source. The source Elasticsearch
 * saw carries the moderation fields ingest added (a post's state, decision
 * and rule hits): the ingest role writes, it never reads those.
 */
export function safeError(e: { type?: unknown; reason?: unknown; index?: unknown }): { type: string; reason: string; index?: string } {
  const type = typeof e.type === 'string' && /^[a-z_]{1,80}$/.test(e.type) ? e.type : 'exception';
  let reason = typeof e.reason === 'string' ? e.reason : '';
  const cut = reason.search(/ at \[Source:|Preview of field's value|\[Source:/);
  if (cut >= 0) reason = reason.slice(0, cut).trim();
  if (reason === '' || /moderation|normalizedText/.test(reason)) reason = `Elasticsearch refused the document (${type})`;
  return { type, reason: reason.slice(0, 300), ...(typeof e.index === 'string' ? { index: e.index } : {}) };
}

export function errorItem(e: ItemError): ItemResponse {
  return { [e.op]: { ...(e.index ? { _index: e.index } : {}), ...(e.id !== undefined ? { _id: e.id } : {}), status: e.status, error: { type: e.type, reason: e.reason } } };
}

export function conflict(item: WriteItem, reason: string): ItemResponse {
  return errorItem({ op: item.op, index: item.index, id: item.id, status: 409, type: 'version_conflict_engine_exception', reason: `[${item.id}]: version conflict, ${reason}` });
}

/** What Elasticsearch answers for a delete of a document it does not hold. */
export function notFound(item: WriteItem): ItemResponse {
  return { delete: { _index: item.index, _id: item.id, result: 'not_found', _shards: { total: 0, successful: 0, failed: 0 }, status: 404 } };
}
