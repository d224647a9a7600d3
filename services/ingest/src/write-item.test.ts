import type { BulkEntry } from './bulk-parse';
import { MAX_DEPTH, checkDocument, depthExceeds, mergeDoc, resolveItem, withModerationJson } from './write-item';

const IDX = 'platform-content';
const item = (op: 'index' | 'create' | 'update' | 'delete', meta: Record<string, unknown>, source?: unknown): BulkEntry => ({ kind: 'item', op, meta, ...(source !== undefined ? { source } : {}), sourceBytes: 42, line: 1 });
const refusal = (e: BulkEntry, defaultIndex?: string) => {
  const r = resolveItem(e, defaultIndex, IDX);
  return r.ok ? 'ok' : `${r.error.status} ${r.error.type}`;
};

describe('resolveItem', () => {
  it('resolves the index from the path or the item, and takes moderation out of the document', () => {
    const r = resolveItem(item('index', { _id: 'p1' }, { text: 'x', moderation: { state: 'none' } }), IDX, IDX);
    expect(r).toEqual({ ok: true, item: { op: 'index', index: IDX, id: 'p1', source: { text: 'x' }, moderationIgnored: true, bytes: 42 } });
    const u = resolveItem(item('update', { _index: IDX, _id: 'p1', retry_on_conflict: 3 }, { doc: { lang: 'en', moderation: {} }, doc_as_upsert: true }), undefined, IDX);
    expect(u).toEqual({ ok: true, item: { op: 'update', index: IDX, id: 'p1', update: { doc: { lang: 'en' }, docAsUpsert: true, detectNoop: true }, moderationIgnored: true, bytes: 42 } });
    expect(resolveItem(item('index', { _index: IDX, _id: 'p1', op_type: 'create' }, { text: 'x' }), undefined, IDX)).toMatchObject({ ok: true, item: { op: 'create' } });
  });

  it('refuses other indices, missing or odd ids, and metadata that could slip past the scan', () => {
    expect(refusal(item('index', { _index: 'other', _id: 'p1' }, {}))).toBe('403 takedown_index_refused_exception');
    expect(refusal(item('index', { _id: 'p1' }, {}))).toBe('400 action_request_validation_exception');
    expect(refusal(item('index', { _index: IDX }, {}))).toBe('400 action_request_validation_exception');
    expect(refusal(item('index', { _index: IDX, _id: 'has space' }, {}))).toBe('400 illegal_argument_exception');
    for (const k of ['routing', 'pipeline', 'version', 'version_type', 'dynamic_templates', '_source']) {
      expect({ k, r: refusal(item('index', { _index: IDX, _id: 'p1', [k]: 'x' }, {})) }).toEqual({ k, r: '400 takedown_parameter_refused_exception' });
    }
    expect(refusal(item('index', { _index: IDX, _id: 'p1', if_seq_no: 3 }, {}))).toBe('400 action_request_validation_exception');
    expect(refusal(item('index', { _index: IDX, _id: 'p1', if_seq_no: -1, if_primary_term: 1 }, {}))).toBe('400 action_request_validation_exception');
  });

  it('refuses scripts and malformed updates, and documents Takedown cannot read', () => {
    expect(refusal(item('update', { _index: IDX, _id: 'p1' }, { script: { source: 'ctx._source.moderation = null' } }))).toBe('400 takedown_parameter_refused_exception');
    expect(refusal(item('update', { _index: IDX, _id: 'p1' }, { upsert: { text: 'x' } }))).toBe('400 action_request_validation_exception');
    expect(refusal(item('update', { _index: IDX, _id: 'p1' }, { doc: 'text' }))).toBe('400 document_parsing_exception');
    expect(refusal(item('index', { _index: IDX, _id: 'p1' }, ['array']))).toBe('400 document_parsing_exception');
    expect(refusal(item('index', { _index: IDX, _id: 'p1' }, { text: 42 }))).toBe('400 document_parsing_exception');
    expect(refusal(item('index', { _index: IDX, _id: 'p1' }, { media: [{ sha256: 'not-a-hash' }] }))).toBe('400 document_parsing_exception');
  });

  it('carries a parse error through with the index and id it names', () => {
    const r = resolveItem({ kind: 'error', op: 'index', meta: { _id: 'p9' }, status: 413, type: 'content_too_long_exception', reason: 'big', line: 3 }, IDX, IDX);
    expect(r).toEqual({ ok: false, error: { op: 'index', index: IDX, id: 'p9', status: 413, type: 'content_too_long_exception', reason: 'big' } });
  });
});

describe('document checks', () => {
  it('measures depth without recursion and names the bad field', () => {
    const deep = JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`) as unknown;
    expect(depthExceeds(deep, MAX_DEPTH)).toBe(true);
    // Four levels of containers: the object, a, the array, the inner object.
    expect(depthExceeds({ a: { b: [1, { c: 2 }] } }, 4)).toBe(false);
    expect(depthExceeds({ a: { b: [1, { c: {} }] } }, 4)).toBe(true);
    expect(checkDocument({ text: 'ok', lang: 'en', media: [{ sha256: 'AB'.repeat(32) }] })).toBeUndefined();
    expect(checkDocument({ lang: ['en'] })).toMatch(/^\[lang\]/);
    expect(checkDocument({ media: [{ sha256: 'x' }] })).toMatch(/^\[media\.0\.sha256\]/);
  });

  it('merges updates as Elasticsearch does: objects key by key, arrays and scalars replaced', () => {
    expect(mergeDoc({ a: 1, o: { x: 1, y: 2 }, arr: [1, 2] }, { o: { y: 3, z: 4 }, arr: [9], b: 2 })).toEqual({ a: 1, o: { x: 1, y: 3, z: 4 }, arr: [9], b: 2 });
    // "__proto__" is a field, as it is to Elasticsearch: kept as data, never a prototype.
    const merged = mergeDoc({ a: 1 }, JSON.parse('{"__proto__": {"text": "x"}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(JSON.stringify(merged)).toBe('{"a":1,"__proto__":{"text":"x"}}');
  });
});

describe('withModerationJson', () => {
  it('adds the moderation member to the document as sent, whitespace and all', () => {
    const m = { state: 'excluded', ruleHits: ['r1'] };
    for (const raw of ['{"text":"a","n":1}', ' { "text" : "a" } ', '{"nested":{"x":"}"}}']) {
      expect(JSON.parse(withModerationJson(raw, false, m))).toEqual({ ...JSON.parse(raw), moderation: m });
    }
    expect(JSON.parse(withModerationJson('{ }', true, m))).toEqual({ moderation: m });
  });
});
