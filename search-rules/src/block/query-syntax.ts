import type { Fuzz } from '../guard/search-text';

/**
 * What a Lucene query string searches for, in order: plain words (terms
 * and phrases, unescaped), fuzzy terms, wildcard terms, regular expressions
 * and term ranges. Operators, groups, field prefixes and boosts only combine
 * these, so they are dropped; the block check then reads neighbouring words
 * as one text (a superset: "buy AND cocaine" is checked as "buy cocaine").
 */
export type QueryUnit =
  /** `slop`: a quoted phrase whose words may move (`"a b"~2`). */
  | { kind: 'words'; text: string; slop?: boolean }
  | { kind: 'fuzzy'; text: string; fuzziness: Fuzz }
  | { kind: 'wildcard'; text: string }
  | { kind: 'regexp'; text: string }
  | { kind: 'range'; from: string; to: string }
  /** One end of a half-open range (`>x`, `[x TO *]`); the field is not tracked, so all are read together. */
  | { kind: 'bound'; side: 'from' | 'to'; value: string };

const SPACE = /\s/;

/** Characters that end a term in the classic query parser (unless escaped). */
const TERM_END = new Set([' ', '\t', '\n', '\r', '(', ')', '"', '^', '~', ':', '[', ']', '{', '}', '/']);

/** query_string: Elasticsearch's classic Lucene syntax. */
export function parseQueryString(q: string, defaultFuzz: Fuzz): QueryUnit[] {
  const out: QueryUnit[] = [];
  let i = 0;
  const n = q.length;
  while (i < n) {
    const c = q[i] as string;
    // A single & or | is part of a term to Lucene; only && and || are operators.
    if ((c === '&' || c === '|') && q[i + 1] === c) {
      i += 2;
      continue;
    }
    if (c === '~') {
      // Whitespace between a term and its fuzzy slop is skipped by Lucene's grammar: "cocain ~2" is fuzzy.
      const m = /^~(\d+(\.\d+)?|AUTO(:\d+,\d+)?)?/i.exec(q.slice(i, i + 24)) as RegExpExecArray;
      i += m[0].length;
      fuzzLast(out, m[1] === undefined ? defaultFuzz : /^auto/i.test(m[1]) ? 2 : Number(m[1]) >= 2 ? 2 : Number(m[1]) >= 1 ? 1 : 0);
      continue;
    }
    if (SPACE.test(c) || c === '(' || c === ')' || c === '+' || c === '-' || c === '!' || c === '^' || c === ':' || c === ']' || c === '}') {
      i++;
      continue;
    }
    if (c === '>' || c === '<') {
      // field:>=x shorthand: a half-open range; its bound is read as a word and as one end of a range.
      i++;
      if (q[i] === '=') i++;
      let end = i;
      while (end < n && !SPACE.test(q[end] as string) && q[end] !== ')') end++;
      if (end > i) out.push({ kind: 'bound', side: c === '>' ? 'from' : 'to', value: unescape(q.slice(i, end)) });
      continue;
    }
    if (c === '"') {
      const { text, end } = readUntil(q, i + 1, '"');
      out.push({ kind: 'words', text, ...(/^~\d*[1-9]/.test(q.slice(end, end + 12)) ? { slop: true } : {}) });
      i = skipModifiers(q, end);
      continue;
    }
    if (c === '/') {
      const { text, end } = readUntil(q, i + 1, '/', true);
      out.push({ kind: 'regexp', text });
      i = end;
      continue;
    }
    if (c === '[' || c === '{') {
      let end = i + 1;
      let quoted = false;
      // A quoted bound may hold ] or }: only an unquoted one closes the range.
      while (end < n && (quoted || (q[end] !== ']' && q[end] !== '}'))) {
        if (q[end] === '"') quoted = !quoted;
        end += q[end] === '\\' ? 2 : 1;
      }
      const inside = unescape(q.slice(i + 1, Math.min(end, n)));
      const bounds = splitRange(inside);
      if (bounds) {
        const [from, to] = bounds;
        if (from !== '*' && to !== '*') out.push({ kind: 'range', from, to });
        else if (from !== '*') out.push({ kind: 'bound', side: 'from', value: from });
        else if (to !== '*') out.push({ kind: 'bound', side: 'to', value: to });
        out.push({ kind: 'words', text: [from, to].filter((b) => b !== '*').join(' ') });
      } else out.push({ kind: 'words', text: inside });
      i = end + 1;
      continue;
    }
    // A term: up to an unescaped terminator. Unescaped * or ? make it a wildcard.
    let raw = '';
    let wildcard = false;
    let text = '';
    while (i < n) {
      const d = q[i] as string;
      if (d === '\\' && i + 1 < n) {
        const u = unicodeEscape(q, i);
        if (u !== undefined) {
          raw += u === '*' || u === '?' || u === '\\' ? `\\${u}` : u;
          text += u;
          i += 6;
          continue;
        }
        raw += d + q[i + 1];
        text += q[i + 1];
        i += 2;
        continue;
      }
      if (TERM_END.has(d) || SPACE.test(d) || ((d === '&' || d === '|') && q[i + 1] === d)) break;
      if (d === '*' || d === '?') wildcard = true;
      raw += d;
      text += d;
      i++;
    }
    if (q[i] === ':') {
      // That was a field name (or _exists_): what follows is the value.
      i++;
      continue;
    }
    if (text === '' && raw === '') {
      // A terminator no branch above reads: step over it (every pass must move forward).
      i++;
      continue;
    }
    if (text === 'AND' || text === 'OR' || text === 'NOT' || text === '&&' || text === '||') continue;
    // Lucene accepts a boost before the fuzzy slop (term^2~1).
    const boost = /^\^\d*(\.\d+)?/.exec(q.slice(i, i + 24));
    if (boost && q[i + boost[0].length] === '~') i += boost[0].length;
    if (q[i] === '~') {
      const m = /^~(\d+(\.\d+)?|AUTO(:\d+,\d+)?)?/i.exec(q.slice(i, i + 24)) as RegExpExecArray;
      i += m[0].length;
      const fuzz: Fuzz = m[1] === undefined ? defaultFuzz : /^auto/i.test(m[1]) ? 2 : Number(m[1]) >= 2 ? 2 : Number(m[1]) >= 1 ? 1 : 0;
      out.push(wildcard ? { kind: 'wildcard', text: raw } : { kind: 'fuzzy', text, fuzziness: fuzz });
      i = skipModifiers(q, i);
      continue;
    }
    if (text !== '') out.push(wildcard ? { kind: 'wildcard', text: raw } : { kind: 'words', text });
    i = skipModifiers(q, i);
  }
  return out;
}

/** simple_query_string: `+ | -` operators, phrases, a trailing `*` prefix, `~N` fuzziness, `\` escapes. */
export function parseSimpleQueryString(q: string): QueryUnit[] {
  const out: QueryUnit[] = [];
  let i = 0;
  const n = q.length;
  while (i < n) {
    const c = q[i] as string;
    if (SPACE.test(c) || c === '+' || c === '|' || c === '-' || c === '(' || c === ')') {
      i++;
      continue;
    }
    if (c === '"') {
      if (q.indexOf('"', i + 1) < 0) {
        // An unclosed quote is dropped and the rest read as terms, as Elasticsearch's simple parser does.
        i++;
        continue;
      }
      const { text, end } = readUntil(q, i + 1, '"');
      out.push({ kind: 'words', text, ...(/^~\d*[1-9]/.test(q.slice(end, end + 12)) ? { slop: true } : {}) });
      i = end;
      const m = /^~\d*/.exec(q.slice(i, i + 24));
      if (m) i += m[0].length;
      continue;
    }
    let text = '';
    let raw = '';
    while (i < n) {
      const d = q[i] as string;
      if (d === '\\' && i + 1 < n) {
        text += q[i + 1];
        raw += `\\${q[i + 1]}`;
        i += 2;
        continue;
      }
      if (SPACE.test(d) || d === '|' || d === '+' || d === '(' || d === ')' || d === '"' || d === '~') break;
      text += d;
      raw += d === '*' || d === '?' ? `\\${d}` : d;
      i++;
    }
    if (q[i] === '~') {
      const m = /^~(\d+)?/.exec(q.slice(i, i + 24)) as RegExpExecArray;
      i += m[0].length;
      const fuzz: Fuzz = m[1] === undefined ? 2 : Number(m[1]) >= 2 ? 2 : Number(m[1]) >= 1 ? 1 : 0;
      if (text !== '') out.push({ kind: 'fuzzy', text, fuzziness: fuzz });
      else fuzzLast(out, fuzz);
      continue;
    }
    if (text === '' && raw === '' && q[i] !== '~') {
      i++;
      continue;
    }
    if (text.endsWith('*') && raw.endsWith('\\*') && text.length > 1) {
      // A trailing unescaped * is a prefix query.
      out.push({ kind: 'wildcard', text: `${raw.slice(0, -2)}*` });
    } else if (text !== '') out.push({ kind: 'words', text });
  }
  return out;
}

/** A fuzzy mark after whitespace: the term before it becomes fuzzy (phrases keep their slop reading). */
function fuzzLast(out: QueryUnit[], fuzziness: Fuzz): void {
  const last = out[out.length - 1];
  if (last?.kind === 'words' && !last.slop) out[out.length - 1] = { kind: 'fuzzy', text: last.text, fuzziness };
}

/** Reads to the closing `close` (escapes honoured); returns the unescaped text and the index after it. */
function readUntil(q: string, from: number, close: string, keepEscapes = false): { text: string; end: number } {
  let text = '';
  let i = from;
  while (i < q.length && q[i] !== close) {
    const u = keepEscapes ? undefined : unicodeEscape(q, i);
    if (u !== undefined) {
      text += u;
      i += 6;
    } else if (q[i] === '\\' && i + 1 < q.length) {
      text += keepEscapes ? q.slice(i, i + 2) : q[i + 1];
      i += 2;
    } else text += q[i++];
  }
  return { text, end: i + 1 };
}

/** Skips `^boost` and `~slop` after a term or phrase. */
function skipModifiers(q: string, i: number): number {
  for (;;) {
    const m = /^(\^\d*(\.\d+)?|~\d*(\.\d+)?)/.exec(q.slice(i, i + 24));
    if (!m || m[0] === '') return i;
    i += m[0].length;
  }
}

/** "a TO b" → [a, b] (quotes dropped), found without a backtracking regex. */
function splitRange(inside: string): [string, string] | undefined {
  let at = inside.indexOf('TO');
  while (at >= 0 && !(at > 0 && SPACE.test(inside[at - 1] as string) && SPACE.test(inside[at + 2] ?? ''))) at = inside.indexOf('TO', at + 1);
  if (at < 0) return undefined;
  const bound = (b: string) => b.trim().replace(/^"(.*)"$/s, '$1');
  return [bound(inside.slice(0, at)), bound(inside.slice(at + 2))];
}

function unescape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\(.)/gs, (_m, hex: string | undefined, ch: string | undefined) => (hex ? String.fromCharCode(parseInt(hex, 16)) : (ch ?? '')));
}

/** Lucene decodes `\uXXXX` in query strings; the character, or undefined when there is none at i. */
function unicodeEscape(q: string, i: number): string | undefined {
  if (q[i] !== '\\' || q[i + 1] !== 'u') return undefined;
  const hex = q.slice(i + 2, i + 6);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? String.fromCharCode(parseInt(hex, 16)) : undefined;
}
