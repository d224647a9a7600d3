import { isJsonObject } from '@takedown/shared';

/**
 * The _bulk body: NDJSON, an action line (`{"index":{...}}`) followed, for
 * every action but delete, by a source line. Parsed line by line so that one
 * bad line fails one item, never the request and never its neighbours:
 * every action line yields exactly one entry, in order.
 */
export const BULK_OPS = ['index', 'create', 'update', 'delete'] as const;
export type BulkOp = (typeof BULK_OPS)[number];

export type BulkEntry =
  | {
      kind: 'item';
      op: BulkOp;
      meta: Record<string, unknown>;
      source?: unknown;
      /** The source line as sent: passed on to Elasticsearch without serialising the document again. */
      raw?: string;
      sourceBytes: number;
      line: number;
    }
  | { kind: 'error'; op: string; meta?: Record<string, unknown>; status: number; type: string; reason: string; line: number };

/** An unknown action's name, as the item's key in the answer: a plain word, or "unknown". */
const opName = (op: unknown) => (typeof op === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(op) ? op : 'unknown');

function parseJson(line: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Whether a line reads as an action line (one known action whose value is an object). */
function looksLikeAction(line: string | undefined): boolean {
  if (line === undefined) return false;
  const p = parseJson(line);
  if (!p.ok || !isJsonObject(p.value)) return false;
  const keys = Object.keys(p.value);
  return keys.length === 1 && (BULK_OPS as readonly string[]).includes(keys[0] as string) && isJsonObject(p.value[keys[0] as string]);
}

/**
 * Splits a bulk body into entries. An unreadable action line cannot say
 * whether a source line follows it: the next line is taken as its source
 * unless it reads as an action itself (the only guess made). Blank lines are skipped, as
 * Elasticsearch does. `maxDocBytes` bounds each source line (UTF-8 bytes).
 */
export function parseBulk(body: string, maxDocBytes: number): BulkEntry[] {
  const lines = body.split('\n');
  const entries: BulkEntry[] = [];
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i] as string;
    const lineNo = i + 1;
    if (raw.trim() === '') {
      i++;
      continue;
    }
    const parsed = parseJson(raw);
    const action = parsed.ok && isJsonObject(parsed.value) ? parsed.value : undefined;
    const keys = action ? Object.keys(action) : [];
    const op = keys[0];
    if (!action || keys.length !== 1 || !isJsonObject(action[op as string])) {
      const skipSource = !looksLikeAction(lines[i + 1]) && i + 1 < lines.length && (lines[i + 1] as string).trim() !== '';
      entries.push({
        kind: 'error',
        op: keys.length === 1 ? opName(op) : 'index',
        status: 400,
        type: parsed.ok ? 'illegal_argument_exception' : 'x_content_parse_exception',
        reason: parsed.ok ? `Malformed action/metadata line [${lineNo}], expected one action holding an object` : `Malformed action/metadata line [${lineNo}]: not valid JSON`,
        line: lineNo,
      });
      i += skipSource ? 2 : 1;
      continue;
    }
    const meta = action[op as string] as Record<string, unknown>;
    if (!(BULK_OPS as readonly string[]).includes(op as string)) {
      const skipSource = !looksLikeAction(lines[i + 1]) && i + 1 < lines.length && (lines[i + 1] as string).trim() !== '';
      entries.push({ kind: 'error', op: opName(op), meta, status: 400, type: 'illegal_argument_exception', reason: `Unknown action [${opName(op)}] on line [${lineNo}]; index, create, update and delete are accepted`, line: lineNo });
      i += skipSource ? 2 : 1;
      continue;
    }
    if (op === 'delete') {
      entries.push({ kind: 'item', op: 'delete', meta, sourceBytes: 0, line: lineNo });
      i++;
      continue;
    }
    // As in Elasticsearch, the line after an index, create or update action is its source, whatever it holds.
    const sourceLine = lines[i + 1];
    if (sourceLine === undefined || sourceLine.trim() === '') {
      entries.push({ kind: 'error', op: op as string, meta, status: 400, type: 'action_request_validation_exception', reason: `Validation Failed: 1: the [${op as string}] action on line [${lineNo}] has no source line`, line: lineNo });
      i++;
      continue;
    }
    i += 2;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: when even that bound fits, the exact count is not needed
    // (and the UTF-16 length stands in for it, as the round-size estimate).
    const bytes = sourceLine.length * 3 <= maxDocBytes ? sourceLine.length : Buffer.byteLength(sourceLine, 'utf8');
    if (bytes > maxDocBytes) {
      entries.push({ kind: 'error', op: op as string, meta, status: 413, type: 'content_too_long_exception', reason: `the document on line [${lineNo + 1}] is ${bytes} bytes; the limit is ${maxDocBytes}`, line: lineNo });
      continue;
    }
    const source = parseJson(sourceLine);
    if (!source.ok) {
      entries.push({ kind: 'error', op: op as string, meta, status: 400, type: 'document_parsing_exception', reason: `the source on line [${lineNo + 1}] is not valid JSON`, line: lineNo });
      continue;
    }
    entries.push({ kind: 'item', op: op as BulkOp, meta, source: source.value, raw: sourceLine, sourceBytes: bytes, line: lineNo });
  }
  return entries;
}
