import type { StatementProblem } from '@takedown/shared';

/**
 * What one answer of the Transparency Database's bulk call means for the
 * batch sent (`puids`, in the order sent). Only HTTP 201 means stored; the
 * call is all or nothing, so after a 422 nothing of the batch was stored.
 */
export type BatchOutcome =
  /** All stored; the database's uuid per puid when it returned one. */
  | { kind: 'created'; uuids: Map<string, string> }
  /** Validation refused these statements (by puid); the others were fine but not stored. */
  | { kind: 'invalid'; problems: Map<string, StatementProblem[]> }
  /** These puids were stored already (or repeated in the call); nothing was stored. */
  | { kind: 'duplicates'; puids: Set<string> }
  /**
   * The batch was refused as a whole without naming a statement (413, or a 422
   * naming none: PHP failing to decode one statement's text answers so): split it
   * until the statement at fault is alone, so it does not take the others down.
   */
  | { kind: 'unattributed'; error: string }
  /** The token was refused: a configuration problem, not the statements'. */
  | { kind: 'auth'; status: number }
  /** Worth retrying later: 429, 5xx, timeouts, connection errors, and answers that name no statement. */
  | { kind: 'transient'; error: string; retryAfterMs?: number };

const REJECTED = 'tdb_rejected';

/** Classifies an answer. `body` is the parsed JSON (undefined when it was not JSON). */
export function classifyAnswer(status: number, body: unknown, puids: readonly string[], retryAfter?: number): BatchOutcome {
  if (status === 201) return { kind: 'created', uuids: uuidsOf(body) };
  if (status === 401 || status === 403) return { kind: 'auth', status };
  if (status === 422) {
    const duplicates = duplicatePuids(body, puids);
    if (duplicates.size > 0) return { kind: 'duplicates', puids: duplicates };
    const problems = itemProblems(body, puids);
    if (problems.size > 0) return { kind: 'invalid', problems };
    return { kind: 'unattributed', error: `HTTP 422 naming no statement of the batch${messageOf(body)}` };
  }
  if (status === 413) return { kind: 'unattributed', error: `HTTP 413: the call is too large for the endpoint${messageOf(body)}` };
  const base = { kind: 'transient' as const, error: `HTTP ${status}${messageOf(body)}` };
  return retryAfter !== undefined ? { ...base, retryAfterMs: retryAfter } : base;
}

/**
 * The bulk call's per-item errors, by puid. The database keys them
 * `statement_<index>` → {field: [messages]}; Laravel's flat style
 * `statements.<index>.<field>` → [messages] is read too.
 */
export function itemProblems(body: unknown, puids: readonly string[]): Map<string, StatementProblem[]> {
  const out = new Map<string, StatementProblem[]>();
  const errors = isObject(body) && isObject(body['errors']) ? body['errors'] : undefined;
  if (!errors) return out;
  const add = (index: number, field: string, messages: unknown) => {
    const puid = puids[index];
    if (puid === undefined) return;
    const list = out.get(puid) ?? [];
    for (const m of Array.isArray(messages) ? messages : [messages]) if (typeof m === 'string') list.push({ field, code: REJECTED, message: m.slice(0, 1000) });
    if (list.length > 0) out.set(puid, list);
  };
  for (const [key, value] of Object.entries(errors)) {
    let m = /^statement_(\d+)$/.exec(key);
    if (m && isObject(value)) {
      for (const [field, messages] of Object.entries(value)) add(Number(m[1]), field, messages);
      continue;
    }
    m = /^statements\.(\d+)\.([A-Za-z0-9_.-]+)$/.exec(key);
    if (m) add(Number(m[1]), (m[2] as string).replace(/\.\d+$/, ''), value);
  }
  return out;
}

/** The puids the database says it has already (`errors.existing_puids`), limited to those sent. */
export function duplicatePuids(body: unknown, puids: readonly string[]): Set<string> {
  const sent = new Set(puids);
  const out = new Set<string>();
  const errors = isObject(body) && isObject(body['errors']) ? body['errors'] : undefined;
  const existing = errors?.['existing_puids'];
  if (Array.isArray(existing)) for (const p of existing) if (typeof p === 'string' && sent.has(p)) out.add(p);
  // The single call's shape, {existing: {puid}}, should a proxy ever answer with it.
  const single = isObject(body) && isObject(body['existing']) ? body['existing']['puid'] : undefined;
  if (typeof single === 'string' && sent.has(single)) out.add(single);
  return out;
}

function uuidsOf(body: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const list = isObject(body) && Array.isArray(body['statements']) ? body['statements'] : [];
  for (const s of list) if (isObject(s) && typeof s['puid'] === 'string' && typeof s['uuid'] === 'string') out.set(s['puid'], s['uuid']);
  return out;
}

/** The answer's own message, short, for lastError (the database's text, never ours or a token). */
function messageOf(body: unknown): string {
  const m = isObject(body) && typeof body['message'] === 'string' ? body['message'] : '';
  return m ? `: ${m.slice(0, 200)}` : '';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
