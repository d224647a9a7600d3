import { UnavailableError, ValidationError, type Logger, type ProcessControl } from '@takedown/shared';
import { RE2 } from 're2-wasm';
import { normalize } from './normalizer';

/**
 * Regex rules run on RE2 (re2-wasm): an automaton, no backtracking, so a
 * match costs time linear in the input whatever the pattern. What is left
 * to bound is the constant (the compiled program's size) and the memory:
 * re2-wasm has one fixed 16 MiB WebAssembly heap per thread, which every
 * compiled pattern and its DFA cache share and which cannot grow (an
 * exhausted heap aborts the module), hence the limits below.
 */
export const REGEX_LIMITS = {
  /** Characters of a regex rule's pattern. */
  maxPatternLength: 200,
  /** Estimated program size of one pattern (weighted atoms × counted repetitions, see programSize; a unit ≈ 0.5 KiB of heap). */
  maxProgramSize: 300,
  /** Estimated program size of all the regex rules of a ruleset together. */
  maxTotalProgramSize: 2000,
  /** Largest bound of one counted repetition `{n,m}`. */
  maxRepeat: 100,
  /** Regex rules in one ruleset (they share the per-thread heap). */
  maxRulesPerRuleset: 50,
  /** UTF-16 units of normalised text a regex rule scans per text (the head; the rest is not scanned by regex rules). */
  maxInput: 100_000,
} as const;

/**
 * Flags: `u` only, which re2-wasm requires. No `i`: the text is normalised
 * (lower-case) and `i` made matching four times slower; patterns must be
 * written in lower case instead (checked in compileRegex).
 */
const FLAGS = 'u';

/**
 * The wrapper re2-wasm keeps inside its heap (re2-wasm's own internals,
 * pinned to 1.0.2): freed explicitly, the GC never sees it; matched without
 * capture groups, which lets RE2 find the span with its DFA alone (exec asks
 * for groups: 700 ms against 2 ms for `(a+)+$` over 100,000 characters).
 */
interface Wrapped {
  delete(): void;
  match(input: string, start: number, captures: boolean): { index: number; match: string };
}

function wrapperOf(re: RE2): Wrapped | undefined {
  return (re as unknown as { wrapper?: Wrapped }).wrapper;
}

/**
 * Upper-case letters a pattern matches literally (outside escapes, property
 * names, group names and POSIX classes): the normalised text has none, so
 * they could never match.
 */
function literalOf(pattern: string): string {
  return pattern.replace(/\\[pP](\{[^}]*\}|[A-Za-z])|\\.|\(\?P?<[^>]*>|\[:\^?[a-z]+:\]/g, '');
}

function upperCaseLiteral(pattern: string): string | undefined {
  return /\p{Lu}/u.exec(literalOf(pattern))?.[0];
}

/**
 * A literal letter the normaliser writes otherwise (l, I, 1 and | read as
 * i; ё as е; أ as ا…): the text a regex runs on never holds it, so the
 * pattern could never match there.
 */
function unnormalisedLiteral(pattern: string): { letter: string; as: string } | undefined {
  for (const letter of literalOf(pattern)) {
    if (!/\p{L}/u.test(letter)) continue;
    const as = normalize(letter);
    if (as !== letter) return { letter, as };
  }
  return undefined;
}

/**
 * This thread's RE2 module aborted (its fixed heap ran out, or another
 * fault inside the module): every later call into it fails, so regex
 * matching fails closed here until the process (or worker thread) is
 * replaced. Composition roots restart on it (onRegexEngineFailure).
 */
export class RegexEngineFailedError extends UnavailableError {
  constructor(options?: { cause?: unknown }) {
    super('the regex engine (RE2) of this process failed; it is being restarted', 'regex_engine_failed', options);
  }
}

let engineFailure: unknown;
const failureHandlers = new Set<(err: RegexEngineFailedError) => void>();

/**
 * Calls `handler` once when this thread's RE2 module aborts (at once if it
 * already has). Returns a function that unregisters it. The module cannot
 * be reloaded in place: the caller restarts the process or thread.
 */
export function onRegexEngineFailure(handler: (err: RegexEngineFailedError) => void): () => void {
  if (engineFailure !== undefined) handler(new RegexEngineFailedError({ cause: engineFailure }));
  else failureHandlers.add(handler);
  return () => failureHandlers.delete(handler);
}

/** A composition root's answer to an abort: log it, then restart the process (RE2 cannot be reloaded in place). */
export function restartOnRegexEngineFailure(logger: Logger, control: ProcessControl): void {
  onRegexEngineFailure((err) => {
    logger.fatal({ code: err.code }, 'the regex engine aborted; restarting');
    control.restart('the regex engine (RE2) aborted');
  });
}

/** Whether this thread's RE2 module has aborted. */
export function regexEngineFailed(): boolean {
  return engineFailure !== undefined;
}

/** An emscripten abort (heap exhausted, or a trap inside the module), as opposed to RE2 refusing a pattern. */
const isModuleAbort = (err: unknown): boolean => err instanceof Error && (err.name === 'RuntimeError' || /abort\(|Cannot enlarge memory/.test(err.message));

/** Runs a call into RE2; a module abort marks the engine failed (telling the handlers once) and throws RegexEngineFailedError. */
function intoEngine<T>(call: () => T): T {
  if (engineFailure !== undefined) throw new RegexEngineFailedError({ cause: engineFailure });
  try {
    return call();
  } catch (err) {
    if (!isModuleAbort(err)) throw err;
    engineFailure = err;
    const failed = new RegexEngineFailedError({ cause: err });
    for (const handler of failureHandlers) {
      try {
        handler(failed);
      } catch {
        // A handler's own failure must not hide the engine's.
      }
    }
    failureHandlers.clear();
    throw failed;
  }
}

// Patterns already freed: a second release must not delete twice, and a match must not read freed heap.
const freed = new WeakSet<RE2>();

/** Frees a compiled pattern's heap memory (idempotent). Matching it afterwards throws (firstMatch). */
export function releaseRegex(re: RE2): void {
  if (freed.has(re)) return;
  freed.add(re);
  // An aborted module's heap is gone with it: nothing to free, and calling in would throw.
  if (engineFailure === undefined) intoEngine(() => wrapperOf(re)?.delete());
}

/** Whether `re` was freed by releaseRegex. */
export function regexReleased(re: RE2): boolean {
  return freed.has(re);
}

/*
 * A safety net only: V8 does not see the wasm heap filling, so a dropped
 * ruleset may be collected too late; owners that swap rulesets release them
 * explicitly (releaseNow, through releaseRuleset).
 */
const finalizer = new FinalizationRegistry<RE2[]>((res) => {
  for (const re of res) releaseRegex(re);
});

/** Frees `res` once `owner` is garbage-collected (unless releaseNow frees them first). */
export function releaseWith(owner: object, res: RE2[]): void {
  if (res.length > 0) finalizer.register(owner, res, owner);
}

/** Frees `res` now and forgets `owner`'s finalizer entry (idempotent). */
export function releaseNow(owner: object, res: readonly RE2[]): void {
  finalizer.unregister(owner);
  for (const re of res) releaseRegex(re);
}

/** Matching with a regex (or a ruleset) after it was released: a caller kept it past its retirement. */
export class RegexReleasedError extends Error {
  constructor() {
    super('regex rules: this compiled ruleset was released (retired after a newer version was loaded); match on the current one');
    this.name = 'RegexReleasedError';
  }
}

/**
 * Weight of a Unicode property class (\p{L}, \P{Arabic}, also inside
 * brackets). Measured: each copy of one takes 3–55 KiB of heap (\p{L}
 * about 18, \pN about 55) against about 0.5 KiB for an ASCII class or `.`,
 * and a single `\p{L}{100}` exhausts the whole heap.
 */
const PROPERTY_WEIGHT = 120;
/** \W (case-insensitive, it excludes the Kelvin sign and long s: a large class). */
const NOT_WORD_WEIGHT = 4;

/**
 * An upper estimate of the compiled program's size, in units of about half
 * a KiB of heap: each atom (a literal, class, escape or `.`) weighs 1, a
 * Unicode property class PROPERTY_WEIGHT, and counted repetitions multiply
 * what they apply to (`{n,m}` copies its operand m times, or n+1 when
 * unbounded). A bounded walk: one pass over at most maxPatternLength
 * characters.
 */
export function programSize(pattern: string): number {
  // Each open group: the size before it, and the size of its contents.
  const groups: number[] = [];
  let total = 0;
  let lastAtom = 0; // size of the last atom or group (what a quantifier applies to)
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      // \p{...} and \x{...} are one atom.
      const next = pattern[i + 1];
      let end = i + 2;
      if ((next === 'p' || next === 'P' || next === 'x') && pattern[i + 2] === '{') {
        const close = pattern.indexOf('}', i + 3);
        end = close < 0 ? pattern.length : close + 1;
      }
      const w = next === 'p' || next === 'P' ? PROPERTY_WEIGHT : next === 'W' ? NOT_WORD_WEIGHT : 1;
      total += w;
      lastAtom = w;
      i = end;
    } else if (ch === '[') {
      // A class is one atom; skip to its closing bracket (a leading ] or escaped ] is literal).
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      let w = 1;
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') {
          const e = pattern[j + 1];
          if (e === 'p' || e === 'P') w += PROPERTY_WEIGHT;
          else if (e === 'W') w += NOT_WORD_WEIGHT;
          j += 2;
        } else j++;
      }
      total += w;
      lastAtom = w;
      i = j + 1;
    } else if (ch === '(') {
      groups.push(total);
      lastAtom = 0;
      i++;
    } else if (ch === ')') {
      const before = groups.pop() ?? 0;
      lastAtom = total - before;
      i++;
    } else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i, i + 16));
      if (!m) {
        total += 1;
        lastAtom = 1;
        i++;
        continue;
      }
      const lo = Number(m[1]);
      const hi = m[2] === undefined ? lo : m[3] === '' || m[3] === undefined ? lo + 1 : Number(m[3]);
      // The operand is already counted once; a repetition adds hi - 1 copies.
      total += lastAtom * Math.max(hi - 1, 0);
      lastAtom *= Math.max(hi, 1);
      i += m[0].length;
    } else if (ch === '|' || ch === '*' || ch === '+' || ch === '?' || ch === '^' || ch === '$') {
      i++;
    } else {
      total += 1;
      lastAtom = 1;
      i++;
    }
  }
  return total;
}

/** The largest bound of any counted repetition in `pattern`, 0 when none. */
function largestRepeat(pattern: string): number {
  let max = 0;
  for (const m of pattern.matchAll(/(?<!\\)\{(\d+)(?:,(\d*))?\}/g)) {
    max = Math.max(max, Number(m[1]), m[2] ? Number(m[2]) : 0);
  }
  return max;
}

/**
 * Compiles a regex rule's pattern, or throws a ValidationError on `field`
 * saying why: too long, too large, or refused by RE2 (backreferences,
 * lookahead and lookbehind, and other syntax RE2 does not have).
 */
export function compileRegex(pattern: string, field = '/pattern'): RE2 {
  if (pattern.length > REGEX_LIMITS.maxPatternLength) {
    throw new ValidationError(`rule: a regex pattern is at most ${REGEX_LIMITS.maxPatternLength} characters`, field, 'regex_too_long');
  }
  const repeat = largestRepeat(pattern);
  if (repeat > REGEX_LIMITS.maxRepeat) {
    throw new ValidationError(`rule: a regex repetition is at most {${REGEX_LIMITS.maxRepeat}} (found {${repeat}})`, field, 'regex_too_large');
  }
  const upper = upperCaseLiteral(pattern);
  if (upper !== undefined) {
    throw new ValidationError(`rule: a regex matches normalised, lower-case text: write "${upper}" in lower case`, field, 'regex_upper_case');
  }
  const folded = unnormalisedLiteral(pattern);
  if (folded !== undefined) {
    throw new ValidationError(`rule: a regex matches normalised text, where "${folded.letter}" reads as "${folded.as}": write it so`, field, 'regex_not_normalised');
  }
  const size = programSize(pattern);
  if (size > REGEX_LIMITS.maxProgramSize) {
    throw new ValidationError(`rule: the regex is too large once repetitions are expanded (${size} > ${REGEX_LIMITS.maxProgramSize})`, field, 'regex_too_large');
  }
  let re: RE2;
  try {
    re = intoEngine(() => new RE2(pattern, FLAGS));
  } catch (err) {
    if (err instanceof RegexEngineFailedError) throw err;
    const why = err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/\w*: /s, '') : String(err);
    throw new ValidationError(`rule: the regex is not valid RE2 syntax (${why}); backreferences and lookaround are not supported`, field, 'regex_invalid');
  }
  // A pattern that matches the empty text would hit every post and every search.
  if (intoEngine(() => re.test(''))) {
    releaseRegex(re);
    throw new ValidationError('rule: the regex matches empty text, so it would match everything', field, 'regex_matches_empty');
  }
  return re;
}

/**
 * One pattern matching wherever any of `patterns` does, to skip them all in
 * one pass when none matches (the common case: each call copies the text
 * into the wasm heap, ~60 µs per KB). Inline flags stay inside their own
 * group in RE2. Undefined when it does not compile (e.g. two rules name
 * the same group): the rules then run one by one.
 */
export function compileUnion(patterns: readonly string[]): RE2 | undefined {
  if (patterns.length < 2) return undefined;
  try {
    return intoEngine(() => new RE2(patterns.map((p) => `(?:${p})`).join('|'), FLAGS));
  } catch (err) {
    if (err instanceof RegexEngineFailedError) throw err;
    return undefined;
  }
}

/** Validates a regex pattern (compiles it and frees it at once). */
export function checkRegex(pattern: string, field = '/pattern'): void {
  releaseRegex(compileRegex(pattern, field));
}

/** The first match of `re` in `text`'s head (REGEX_LIMITS.maxInput units): its [start, end) in `text`, or undefined. */
export function firstMatch(re: RE2, text: string): [number, number] | undefined {
  const head = text.length > REGEX_LIMITS.maxInput ? text.slice(0, REGEX_LIMITS.maxInput) : text;
  // Fail closed: a freed pattern's memory may already hold another one.
  if (freed.has(re)) throw new RegexReleasedError();
  const wrapper = wrapperOf(re);
  if (!wrapper) throw new Error('re2-wasm: compiled pattern without its wrapper (an unexpected re2-wasm version?)');
  const m = intoEngine(() => wrapper.match(head, 0, false));
  if (m.index < 0) return undefined;
  return [m.index, m.index + m.match.length];
}
