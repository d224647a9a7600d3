import { ARABIC_FOLDS, CONFUSABLES, DEFAULT_EMOJI_WORDS, DROPPED, LEET, REGIONAL_INDICATOR_A } from './fold-tables';

/**
 * The normaliser turns text (and patterns) into the form the matcher works
 * on: lower-case skeleton letters and digits in tokens separated by single
 * spaces. Steps, in order, with the evasion classes (issue 17) each undoes:
 *  1. per code point: drug emoji → word (emoji table); NFKC (fullwidth,
 *     mathematical alphanumerics, circled and parenthesised letters,
 *     superscripts, Arabic presentation forms); case fold; NFD and drop marks
 *     (combining marks, Latin diacritics, Arabic harakat and the hamza/madda
 *     on alef, waw and yeh carriers); drop format/default-ignorable
 *     characters (zero-width, soft hyphen, bidi controls, variation
 *     selectors), tatweel and the bare hamza; fold to a skeleton
 *     (fold-tables.ts): Arabic alef/yeh/teh-marbuta variants and the Persian
 *     and Urdu forms (ی ک ۀ ھ ہ), Arabic-Indic and Persian digits, small
 *     capitals, regional-indicator letters, Cyrillic and Greek lookalikes
 *     (mixed scripts in one word; ё = е), and l/I/ł/ӏ to one letter; other
 *     punctuation, symbols and spaces become separators;
 *  2. per token: leet symbols at its edges dropped; leet digits and symbols
 *     inside read as letters when the token has a letter; runs of one
 *     repeated letter collapse to one;
 *  3. runs of three or more one-character tokens, mostly letters
 *     ("k-e-t-a-m-i-n-e", "c 0 c a i n e"), are joined into one word.
 * Morphology is not the normaliser's: Arabic clitics, Russian inflections
 * and transliterations are matched at the term side (variants/, compile.ts),
 * so the text is never stemmed or stripped.
 * Every output UTF-16 unit remembers the span of the original text it came
 * from, so hits can be highlighted in the original.
 */

// Unit classes in the intermediate buffer.
const LETTER = 1;
const DIGIT = 2;
const SYMBOL = 3; // a leet symbol: a letter inside words, dropped elsewhere

const BMP_UNKNOWN = -1;
const BMP_SEPARATOR = -2;
const BMP_DROP = -3;
const BMP_MULTI = -4;

export interface NormalizerOptions {
  /** Emoji (single code point, without variation selector) → canonical word. */
  emojiWords?: Readonly<Record<string, string>>;
}

/** Offsets of each normalised UTF-16 unit in the original text. */
export interface NormalizedText {
  text: string;
  /** Original start offset of output unit i. */
  starts: Uint32Array;
  /** Original end offset (exclusive) of output unit i. */
  ends: Uint32Array;
}

const utf16 = new TextDecoder('utf-16le');
const markRe = /\p{M}/u;
const letterRe = /\p{L}/u;
const ignorableRe = /[\p{Cf}\p{Cc}\p{Cs}\p{Co}\p{Cn}]/u;

/** Folds one character (already NFKC-and-lower-cased) to its skeleton, or '' to drop it. */
function foldChar(ch: string): string {
  if (DROPPED.has(ch)) return '';
  if (Object.hasOwn(ARABIC_FOLDS, ch)) return ARABIC_FOLDS[ch] as string;
  if (Object.hasOwn(CONFUSABLES, ch)) return CONFUSABLES[ch] as string;
  const code = ch.codePointAt(0) ?? 0;
  if (code >= REGIONAL_INDICATOR_A && code < REGIONAL_INDICATOR_A + 26) return foldChar(String.fromCharCode(97 + code - REGIONAL_INDICATOR_A));
  // Arabic-Indic and extended Arabic-Indic digits → ASCII digits.
  if (code >= 0x660 && code <= 0x669) return String.fromCharCode(48 + code - 0x660);
  if (code >= 0x6f0 && code <= 0x6f9) return String.fromCharCode(48 + code - 0x6f0);
  return ch;
}

/** Full per-code-point fold: the string it becomes, with "\u0000" marking a separator. */
function foldCodePoint(cp: number): string {
  const raw = String.fromCodePoint(cp);
  if (ignorableRe.test(raw)) return '';
  let out = '';
  const decomposed = raw.normalize('NFKC').toLowerCase().normalize('NFD');
  for (const ch of decomposed) {
    if (markRe.test(ch) || ignorableRe.test(ch)) continue;
    const f = foldChar(ch);
    for (const c of f) {
      if (letterRe.test(c) || (c >= '0' && c <= '9') || Object.hasOwn(LEET, c)) out += c;
      else out += '\u0000';
    }
  }
  return out;
}

function classOf(code: number): number {
  if (code >= 48 && code <= 57) return DIGIT;
  if (Object.hasOwn(LEET, String.fromCharCode(code))) return SYMBOL;
  return LETTER;
}

/** classOf for every BMP unit, computed once: it runs for every character of every text. */
const CLASS_TABLE = (() => {
  const t = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) t[c] = classOf(c);
  return t;
})();

/** Whether units [i, j) are digits followed only by letters (e.g. "10mg"). */
function isQuantity(uClass: Uint8Array, i: number, j: number): boolean {
  let k = i;
  while (k < j && uClass[k] === DIGIT) k++;
  for (; k < j; k++) if (uClass[k] !== LETTER) return false;
  return true;
}

/** Normalised text in the normaliser's scratch buffers (`length` units are valid). */
export interface ScannedText {
  codes: Uint16Array;
  starts: Uint32Array;
  ends: Uint32Array;
  length: number;
}

export class Normalizer {
  private readonly bmp = new Int32Array(0x10000).fill(BMP_UNKNOWN);
  private readonly multi = new Map<number, string>();
  private readonly emoji: Map<number, string>;
  /** Smallest emoji code point in the table: cheaper than a map lookup for every character. */
  private readonly emojiMin: number;
  private readonly leet = new Int32Array(128).fill(0);

  // Scratch buffers, grown on demand and reused: normalisation sits on the
  // hot path of every search, so it allocates nothing per call but the result.
  private uCode = new Uint16Array(0);
  private uClass = new Uint8Array(0);
  private uStart = new Uint32Array(0);
  private uEnd = new Uint32Array(0);
  private oCode = new Uint16Array(0);
  private oStart = new Uint32Array(0);
  private oEnd = new Uint32Array(0);
  /** Length of the last output in the scratch buffers. */
  private outLen = 0;

  constructor(opts: NormalizerOptions = {}) {
    const words = opts.emojiWords ?? DEFAULT_EMOJI_WORDS;
    this.emoji = new Map();
    for (const [k, v] of Object.entries(words)) {
      const cp = k.codePointAt(0);
      // The word itself is normalised, so a table entry can be written any way.
      if (cp !== undefined) this.emoji.set(cp, this.plainFold(v));
    }
    this.emojiMin = Math.min(...this.emoji.keys(), 0x110000);
    for (const [k, v] of Object.entries(LEET)) {
      const c = k.charCodeAt(0);
      if (c < 128) this.leet[c] = v.charCodeAt(0);
    }
  }

  /** The normalised form of `text`. */
  normalize(text: string): string {
    this.run(text);
    return this.outString();
  }

  /** The normalised form with, for each output unit, its span in `text`. */
  normalizeWithOffsets(text: string): NormalizedText {
    this.run(text);
    return {
      text: this.outString(),
      starts: this.oStart.slice(0, this.outLen),
      ends: this.oEnd.slice(0, this.outLen),
    };
  }

  /**
   * For the matcher: normalise into the scratch buffers and expose them
   * without copying. Valid until the next call on this normaliser.
   */
  scan(text: string): ScannedText {
    this.run(text);
    return { codes: this.oCode, starts: this.oStart, ends: this.oEnd, length: this.outLen };
  }

  /** The normalised string of the last `scan` (content scans store it and match it: one pass, two uses). */
  scannedString(): string {
    return this.outString();
  }

  private outString(): string {
    return utf16.decode(this.oCode.subarray(0, this.outLen));
  }

  private plainFold(word: string): string {
    let out = '';
    for (const ch of word) {
      const f = foldCodePoint(ch.codePointAt(0) ?? 0);
      out += f.replace(/\u0000/g, ' ');
    }
    return out.trim();
  }

  /** Makes room for `n` units, keeping the first `keep` already written. */
  private ensureUnits(n: number, keep: number): void {
    if (n <= this.uCode.length) return;
    const cap = Math.max(n, this.uCode.length * 2, 1024);
    const grow = <A extends Uint16Array | Uint8Array | Uint32Array>(a: A, make: (c: number) => A): A => {
      const b = make(cap);
      b.set(a.subarray(0, keep));
      return b;
    };
    this.uCode = grow(this.uCode, (c) => new Uint16Array(c));
    this.uClass = grow(this.uClass, (c) => new Uint8Array(c));
    this.uStart = grow(this.uStart, (c) => new Uint32Array(c));
    this.uEnd = grow(this.uEnd, (c) => new Uint32Array(c));
  }

  private ensureOut(n: number): void {
    if (n <= this.oCode.length) return;
    const cap = Math.max(n, this.oCode.length * 2, 1024);
    this.oCode = new Uint16Array(cap);
    this.oStart = new Uint32Array(cap);
    this.oEnd = new Uint32Array(cap);
  }

  /** Looks up (and caches) the fold of a BMP code unit; returns a code, or a BMP_* marker. */
  private bmpFold(code: number): number {
    const cached = this.bmp[code] as number;
    if (cached !== BMP_UNKNOWN) return cached;
    const f = foldCodePoint(code);
    let v: number;
    if (f.length === 0) v = BMP_DROP;
    else if (f === '\u0000') v = BMP_SEPARATOR;
    else if (f.length === 1) v = f.charCodeAt(0);
    else {
      this.multi.set(code, f);
      v = BMP_MULTI;
    }
    this.bmp[code] = v;
    return v;
  }

  /** Pass 1: fold code points into the unit buffer. Returns the unit count. */
  private foldUnits(text: string): number {
    // One unit per input unit; multi-unit folds (emoji words, ligatures) grow it.
    this.ensureUnits(text.length + 64, 0);
    let n = 0;
    const len = text.length;
    for (let i = 0; i < len; ) {
      let cp = text.charCodeAt(i);
      let width = 1;
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < len) {
        const lo = text.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      const end = i + width;
      const word = cp >= this.emojiMin ? this.emoji.get(cp) : undefined;
      let folded: number | string;
      if (word !== undefined) folded = `\u0000${word}\u0000`;
      else if (cp < 0x10000) {
        const v = this.bmpFold(cp);
        folded = v === BMP_MULTI ? (this.multi.get(cp) as string) : v;
      } else {
        let m = this.multi.get(cp);
        if (m === undefined) {
          m = foldCodePoint(cp);
          this.multi.set(cp, m);
        }
        folded = m;
      }
      if (typeof folded === 'number') {
        if (folded === BMP_DROP) {
          // nothing
        } else if (folded === BMP_SEPARATOR) {
          n = this.pushUnit(n, 32, 0, i, end);
        } else {
          n = this.pushUnit(n, folded, CLASS_TABLE[folded] as number, i, end);
        }
      } else {
        this.ensureUnits(n + folded.length + (len - i) + 64, n);
        for (let k = 0; k < folded.length; k++) {
          const c = folded.charCodeAt(k);
          n = c === 0 || c === 32 ? this.pushUnit(n, 32, 0, i, end) : this.pushUnit(n, c, CLASS_TABLE[c] as number, i, end);
        }
      }
      i = end;
    }
    return n;
  }

  private pushUnit(n: number, code: number, cls: number, start: number, end: number): number {
    this.uCode[n] = code;
    this.uClass[n] = cls;
    this.uStart[n] = start;
    this.uEnd[n] = end;
    return n + 1;
  }

  /** Passes 2 and 3: tokens, leet, repeats, spaced-letter joins → output buffers. */
  private run(text: string): void {
    const units = this.foldUnits(text);
    // Each unit can become at most itself plus one separator.
    this.ensureOut(units * 2 + 2);
    const uCode = this.uCode;
    const uClass = this.uClass;
    const leet = this.leet;
    let out = 0;
    // Start of the current run of one-letter tokens in the output, and its length.
    let singleRunStart = -1;
    let singleRunCount = 0;
    let singleRunLetters = 0;
    let i = 0;
    while (i < units) {
      if (uClass[i] === 0) {
        i++;
        continue;
      }
      // One token: units [i, j).
      let j = i;
      let letters = 0;
      while (j < units && uClass[j] !== 0) {
        if (uClass[j] === LETTER) letters++;
        j++;
      }
      // A quantity ("5g", "10mg", "2nd"): leading digits and at most two
      // letters. Its digits stay digits, so "5g" never reads as "sg".
      const quantity = uClass[i] === DIGIT && letters <= 2 && letters > 0 && isQuantity(uClass, i, j);
      const hasLetter = letters > 0 && !quantity;
      // Leet symbols at a token's edges are punctuation ("wow!!!", "$5"), not letters.
      let first = i;
      let last = j;
      while (first < last && uClass[first] === SYMBOL) first++;
      while (last > first && uClass[last - 1] === SYMBOL) last--;
      const tokenStart = out;
      let prev = -1;
      for (let k = first; k < last; k++) {
        let c = uCode[k] as number;
        const cls = uClass[k];
        if (cls !== LETTER) {
          if (hasLetter) c = c < 128 ? (leet[c] as number) || c : c;
          else if (cls === SYMBOL) continue; // "$" in "$100": no letter to stand for
        }
        if (c === prev && (hasLetter || (quantity && cls === LETTER))) {
          // Collapse repeats, but keep the span growing to cover them.
          this.oEnd[out - 1] = this.uEnd[k] as number;
          continue;
        }
        this.oCode[out] = c;
        this.oStart[out] = this.uStart[k] as number;
        this.oEnd[out] = this.uEnd[k] as number;
        out++;
        prev = c;
      }
      const tokenLen = out - tokenStart;
      if (tokenLen === 0) {
        i = j;
        continue;
      }
      // One-character tokens may be a spelled-out word ("c 0 c a i n e"):
      // letters, and leet digits between them.
      const single = tokenLen === 1 && (hasLetter || (this.oCode[tokenStart] as number) < 128 && this.leet[this.oCode[tokenStart] as number] !== 0);
      if (single) {
        if (singleRunCount === 0) {
          singleRunStart = tokenStart;
          singleRunLetters = 0;
        }
        singleRunCount++;
        if (hasLetter) singleRunLetters++;
      } else {
        out = this.closeSingleRun(out, singleRunStart, singleRunCount, singleRunLetters, tokenStart);
        singleRunCount = 0;
      }
      // Separator after the token (trimmed at the end).
      this.oCode[out] = 32;
      this.oStart[out] = this.oEnd[out - 1] as number;
      this.oEnd[out] = this.oEnd[out - 1] as number;
      out++;
      i = j;
    }
    out = this.closeSingleRun(out, singleRunStart, singleRunCount, singleRunLetters, out);
    if (out > 0 && this.oCode[out - 1] === 32) out--;
    this.outLen = out;
  }

  /**
   * Joins a finished run of one-letter tokens ("k e t a m i n e") into one
   * token when it has three or more letters. `runEnd` is where the run's
   * output ends (exclusive); anything after it is moved left.
   */
  private closeSingleRun(out: number, runStart: number, count: number, letters: number, runEnd: number): number {
    // Three or more one-character tokens, mostly letters: "1 2 3" stays numbers.
    if (count < 3 || runStart < 0 || letters * 2 < count) return out;
    // The run occupies [runStart, runEnd) as "x y z " (letter, space, ...).
    let w = runStart;
    let prev = -1;
    for (let r = runStart; r < runEnd; r++) {
      let c = this.oCode[r] as number;
      if (c === 32) continue;
      if (c < 128 && this.leet[c] !== 0) c = this.leet[c] as number;
      if (c === prev) {
        this.oEnd[w - 1] = this.oEnd[r] as number;
        continue;
      }
      this.oCode[w] = c;
      this.oStart[w] = this.oStart[r] as number;
      this.oEnd[w] = this.oEnd[r] as number;
      w++;
      prev = c;
    }
    this.oCode[w] = 32;
    this.oStart[w] = this.oEnd[w - 1] as number;
    this.oEnd[w] = this.oEnd[w - 1] as number;
    w++;
    // Move the tail (the token that ended the run, if any) after the joined word.
    for (let r = runEnd; r < out; r++) {
      this.oCode[w] = this.oCode[r] as number;
      this.oStart[w] = this.oStart[r] as number;
      this.oEnd[w] = this.oEnd[r] as number;
      w++;
    }
    return w;
  }
}

const defaultNormalizer = new Normalizer();

/** Normalises with the default emoji table. */
export function normalize(text: string): string {
  return defaultNormalizer.normalize(text);
}

export function normalizeWithOffsets(text: string): NormalizedText {
  return defaultNormalizer.normalizeWithOffsets(text);
}
