/**
 * A moderator's words made fit for a public statement of reasons (DSA
 * Art. 24(5): no personal data; Takedown's rule: no internal ids). The
 * statement is published as is, so what looks like an e-mail address, a
 * phone number, a user handle or a Takedown id is replaced, whoever it
 * belongs to (the ids of this case are taken out by the builder by value;
 * these catch the ids of other cases and people named in passing). Best
 * effort by shape: moderators are still told to write no names.
 */

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** @handle (after e-mail addresses are gone, so an address's domain is not taken for one). */
const HANDLE = /(?<![A-Za-z0-9_.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?/g;
/** Takedown ids (newId: prefix, base-36 time, 16 hex digits), whichever case or decision they name. */
const TAKEDOWN_ID = /(?<![A-Za-z0-9_])[a-z]{1,16}_[0-9a-z]{6,10}[0-9a-f]{16}(?![A-Za-z0-9_])/g;
/**
 * Phone numbers: an international (+…) or trunk-prefixed ((0…), 0…) number
 * of 8+ digits, or any run of 10+ digits, separated by spaces, dots, dashes
 * or brackets. Not slashes: "Regulation (EU) 2021/784" is a citation.
 */
const PHONE = /(?<![\w/])(?:\+|\(?0)?[\d(][\d ().-]{6,}\d(?![\w/])/g;

const digits = (s: string) => s.replace(/\D/g, '').length;

/** Dates (2026-11-03, 03.11.2026, with a time after them) are dates, not numbers to hide. */
const DATE_START = /^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{2,4})(?!\d)/;

function isPhone(m: string): boolean {
  if (DATE_START.test(m)) return false;
  const n = digits(m);
  if (m.startsWith('+')) return n >= 8;
  if (/^\(?0/.test(m)) return n >= 9;
  return n >= 10;
}

/**
 * Characters a public statement treats as blank: white space (U+FEFF
 * included), control characters, line and paragraph separators, and U+200B
 * and U+200E, which the database's TrimStrings trims. The builder collapses
 * them; the decision body refuses a text made only of them, so what the API
 * accepts always yields a ground.
 */
const BLANK_CLASS = '\\s\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u200B\\u200E\\uFEFF';
const BLANK_RUNS = new RegExp(`[${BLANK_CLASS}]+`, 'g');

/** JSON-schema pattern: at least one character a statement keeps. */
export const STATEMENT_TEXT_PATTERN = `[^${BLANK_CLASS}]`;

/** Blank runs collapsed to one space, ends trimmed. */
export function collapseBlanks(s: string): string {
  return s.replace(BLANK_RUNS, ' ').trim();
}

/** Lone UTF-16 surrogates become U+FFFD: the database's JSON decoder (PHP) refuses the whole call over one. */
export function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');
}

export function redactPersonalData(s: string): string {
  return s
    .replace(EMAIL, '[e-mail]')
    .replace(HANDLE, '[user]')
    .replace(TAKEDOWN_ID, '[id]')
    .replace(PHONE, (m) => (isPhone(m) ? '[phone]' : m));
}
