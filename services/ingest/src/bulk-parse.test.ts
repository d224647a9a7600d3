import { parseBulk } from './bulk-parse';

const l = (o: unknown) => JSON.stringify(o);
const kinds = (body: string, max = 1024) => parseBulk(body, max).map((e) => (e.kind === 'item' ? `${e.op}` : `error:${e.type}`));

describe('parseBulk', () => {
  it('yields one entry per action, in order, with sources attached', () => {
    const body = [l({ index: { _id: '1' } }), l({ text: 'a' }), l({ delete: { _id: '2' } }), l({ create: { _id: '3' } }), l({ text: 'c' }), l({ update: { _id: '4' } }), l({ doc: { text: 'd' } })].join('\n');
    const entries = parseBulk(`${body}\n`, 1024);
    expect(entries.map((e) => (e.kind === 'item' ? [e.op, e.source ?? null, e.line] : e.type))).toEqual([
      ['index', { text: 'a' }, 1],
      ['delete', null, 3],
      ['create', { text: 'c' }, 4],
      ['update', { doc: { text: 'd' } }, 6],
    ]);
  });

  it('skips blank lines and accepts a missing final newline', () => {
    expect(kinds(`\n${l({ delete: { _id: '1' } })}\n\n${l({ index: { _id: '2' } })}\n${l({ a: 1 })}`)).toEqual(['delete', 'index']);
  });

  it('turns a malformed action line into one error and takes the next line as its source unless it reads as an action', () => {
    expect(kinds(['{"index":', l({ text: 'orphan' }), l({ delete: { _id: '1' } })].join('\n'))).toEqual(['error:x_content_parse_exception', 'delete']);
    expect(kinds(['{"index":', l({ delete: { _id: '1' } })].join('\n'))).toEqual(['error:x_content_parse_exception', 'delete']);
    expect(kinds([l(['not', 'an', 'object']), l({ delete: { _id: '1' } })].join('\n'))).toEqual(['error:illegal_argument_exception', 'delete']);
    expect(kinds([l({ index: {}, create: {} }), l({ a: 1 }), l({ delete: { _id: '1' } })].join('\n'))).toEqual(['error:illegal_argument_exception', 'delete']);
  });

  it('answers unknown actions, missing sources, bad sources and oversize sources as their own items', () => {
    expect(kinds([l({ upsert: { _id: '1' } }), l({ a: 1 }), l({ delete: { _id: '2' } })].join('\n'))).toEqual(['error:illegal_argument_exception', 'delete']);
    expect(kinds(l({ index: { _id: '1' } }))).toEqual(['error:action_request_validation_exception']);
    expect(kinds([l({ index: { _id: '1' } }), '{"text": ', l({ delete: { _id: '2' } })].join('\n'))).toEqual(['error:document_parsing_exception', 'delete']);
    expect(kinds([l({ index: { _id: '1' } }), l({ text: 'x'.repeat(2000) }), l({ delete: { _id: '2' } })].join('\n'), 1024)).toEqual(['error:content_too_long_exception', 'delete']);
    // Bytes, not UTF-16 units: 400 Cyrillic letters are 800 bytes.
    expect(kinds([l({ index: { _id: '1' } }), l({ text: 'ж'.repeat(400) })].join('\n'), 700)).toEqual(['error:content_too_long_exception']);
    expect(kinds([l({ index: { _id: '1' } }), l({ text: 'ж'.repeat(300) })].join('\n'), 700)).toEqual(['index']);
  });

  it('names an unknown action only by a plain word (it becomes the item key and a metric label)', () => {
    const [a, b] = parseBulk([l({ 'evil<>_x': {} }), l({ a: 1 }), l({ rogue_action: {} }), l({ a: 1 })].join('\n'), 1024);
    expect([a?.op, b?.op]).toEqual(['unknown', 'rogue_action']);
  });

  it('never loses an action line, whatever the body holds', () => {
    const lines = [l({ index: { _id: 'a' } }), '{broken', l({ delete: { _id: 'b' } }), '', '[]', l({ create: { _id: 'c' } }), l({ x: 1 }), 'null', l({ update: { _id: 'd' } })];
    expect(kinds(lines.join('\n'))).toEqual([
      'error:document_parsing_exception', // a: its source is broken
      'delete', // b
      'error:illegal_argument_exception', // "[]": the next line is an action, so not its source
      'create', // c, with {"x":1}
      'error:illegal_argument_exception', // "null"
      'error:action_request_validation_exception', // d: no source line
    ]);
  });
});
