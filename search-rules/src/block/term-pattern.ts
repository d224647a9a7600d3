import { LEET } from '../fold-tables';
import type { Normalizer } from '../normalizer';

/**
 * A wildcard, prefix or regular-expression pattern compiled to a Thompson
 * NFA over the matcher's normalised alphabet, so it can be tested against
 * the rules' tokens in time linear in the token (no backtracking: the
 * pattern comes from the caller).
 *
 * Elasticsearch runs such a pattern against the terms of the index, which
 * are lower-cased surface words ("c0caine", "cocaaine"); the rules' tokens
 * are normalised skeletons ("cocaine"). So the pattern is read as a
 * superset of what it could find: each literal character may be its
 * normalised form or the letter it stands for in leet, repeated letters
 * merge, a single-character wildcard may also match nothing (the normaliser
 * collapses the repeat it could stand for), a separator may match a space
 * or nothing, and regular-expression operators the reader does not model
 * exactly (complement, intersection, numeric intervals, `@`, `#`) read as
 * "anything". Reading too much refuses more searches; reading too little
 * would let one through.
 */
export type PatternNode =
  /**
   * One character: any, or one of `codes` (UTF-16 units of the normalised alphabet); `literal` when it pins the
   * text down; `pins` for a negated class read as any character that still rules out most letters.
   */
  | { k: 'set'; any?: true; codes: readonly number[]; literal?: string; pins?: true }
  | { k: 'cat'; a: PatternNode[] }
  | { k: 'alt'; a: PatternNode[] }
  /** `pins`: how specific it counts as (a complement of `cocaine` is as specific as `cocaine`). */
  | { k: 'star'; n: PatternNode; pins?: number }
  | { k: 'plus'; n: PatternNode }
  | { k: 'opt'; n: PatternNode };

export class PatternError extends Error {}

/** Most NFA states a pattern may compile to (a bound on the cost of testing it). */
export const MAX_STATES = 2048;
const MAX_GROUP_DEPTH = 32;

const ANY: PatternNode = { k: 'set', any: true, codes: [] };
const CLASS_ESCAPES = new Set(['w', 'W', 'd', 'D', 's', 'S']);
const SPACE: PatternNode = { k: 'set', codes: [32] };
const one = (c: string): PatternNode => ({ k: 'set', codes: [c.charCodeAt(0)], literal: c });
const ANY_RUN: PatternNode = { k: 'star', n: ANY };
const EMPTY: PatternNode = { k: 'cat', a: [] };

const folds = new WeakMap<Normalizer, Map<string, PatternNode>>();

/** Steps charged for folding a character not seen before (a normaliser run), against the caller's budget. */
const FOLD_COST = 32;

/** Folds one pattern character to the node it stands for (see the module comment); cached per normaliser. */
function literalNode(ch: string, norm: Normalizer, budget?: { left: number }): PatternNode {
  let cache = folds.get(norm);
  if (!cache) folds.set(norm, (cache = new Map()));
  let node = cache.get(ch);
  if (node === undefined) {
    if (budget) {
      budget.left -= FOLD_COST;
      if (budget.left < 0) throw new PatternError('too costly to read');
    }
    node = foldLiteral(ch, norm);
    if (cache.size < 65_536) cache.set(ch, node);
  }
  return node;
}

function foldLiteral(ch: string, norm: Normalizer): PatternNode {
  const folded = norm.normalize(ch);
  const leet = Object.hasOwn(LEET, ch) ? LEET[ch] : undefined;
  const options = new Set<string>();
  if (folded.length === 1) options.add(folded);
  if (leet !== undefined) options.add(leet);
  if (options.size === 0) {
    // A separator or a dropped character: between two words it is a space, inside one nothing.
    if (folded.length > 1 && !folded.includes(' ')) return { k: 'cat', a: [...folded].map(one) };
    return { k: 'opt', n: SPACE };
  }
  if (options.size === 1) {
    return one([...options][0] as string);
  }
  return { k: 'set', codes: [...options].map((c) => c.charCodeAt(0)), literal: [...options].join('') };
}

/** Adjacent identical literal characters merge (the normaliser collapses repeats). */
function concat(nodes: PatternNode[]): PatternNode {
  const out: PatternNode[] = [];
  for (const n of nodes) {
    const prev = out[out.length - 1];
    if (n.k === 'set' && prev?.k === 'set' && n.literal !== undefined && n.literal === prev.literal) continue;
    out.push(n);
  }
  return out.length === 1 ? (out[0] as PatternNode) : { k: 'cat', a: out };
}

/** Lucene wildcard syntax: `*` any run, `?` one character (or none, see above), `\` escapes. */
export function parseWildcard(pattern: string, norm: Normalizer, budget?: { left: number }): PatternNode {
  const nodes: PatternNode[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') nodes.push(ANY_RUN);
    else if (ch === '?') nodes.push({ k: 'opt', n: ANY });
    else if (ch === '\\' && i + 1 < pattern.length) nodes.push(literalNode(pattern[++i] as string, norm, budget));
    else nodes.push(literalNode(ch, norm, budget));
  }
  return concat(nodes);
}

/** A prefix query: the literal text, then anything. */
export function parsePrefix(prefix: string, norm: Normalizer, budget?: { left: number }): PatternNode {
  return concat([...[...prefix].map((c) => literalNode(c, norm, budget)), ANY_RUN]);
}

/** Widest character-class range folded member by member; wider ones read as any character. */
const MAX_CLASS_RANGE = 64;

/** Lucene regular-expression syntax (RegExp with all optional operators), read as a superset. */
export function parseRegexp(pattern: string, norm: Normalizer, budget?: { left: number }): PatternNode {
  let i = 0;
  const peek = () => pattern[i];
  const alt = (depth: number): PatternNode => {
    if (depth > MAX_GROUP_DEPTH) throw new PatternError(`groups nested deeper than ${MAX_GROUP_DEPTH}`);
    const options: PatternNode[] = [cat(depth)];
    // `|` is union; `&` (intersection) is read as union too, a superset of it.
    while (peek() === '|' || peek() === '&') {
      i++;
      options.push(cat(depth));
    }
    return options.length === 1 ? (options[0] as PatternNode) : { k: 'alt', a: options };
  };
  const cat = (depth: number): PatternNode => {
    const nodes: PatternNode[] = [];
    while (i < pattern.length && peek() !== '|' && peek() !== '&' && peek() !== ')') nodes.push(repeat(depth));
    return concat(nodes);
  };
  const repeat = (depth: number): PatternNode => {
    if (depth > MAX_GROUP_DEPTH) throw new PatternError(`groups nested deeper than ${MAX_GROUP_DEPTH}`);
    let node = atom(depth);
    for (;;) {
      const c = peek();
      if (c === '*') node = { k: 'star', n: node };
      else if (c === '+') node = { k: 'plus', n: node };
      else if (c === '?') node = { k: 'opt', n: node };
      else if (c === '{') {
        const m = /^\{(\d{1,6})(,(\d{0,6}))?\}/.exec(pattern.slice(i));
        if (!m) throw new PatternError('a repeat must be {n}, {n,} or {n,m}');
        // {n,m} is read as "at least one" (or "any number" when n is 0): a superset without unrolling.
        node = Number(m[1]) === 0 ? { k: 'star', n: node } : { k: 'plus', n: node };
        i += m[0].length;
        continue;
      } else return node;
      i++;
    }
  };
  const atom = (depth: number): PatternNode => {
    const c = pattern[i++] as string;
    switch (c) {
      case '.':
        return ANY;
      case '(': {
        if (peek() === ')') {
          i++;
          return EMPTY;
        }
        const inner = alt(depth + 1);
        if (pattern[i++] !== ')') throw new PatternError('unclosed group');
        return inner;
      }
      case '[':
        return charClass();
      case '"': {
        const nodes: PatternNode[] = [];
        while (i < pattern.length && pattern[i] !== '"') nodes.push(literalNode(pattern[i++] as string, norm, budget));
        if (pattern[i++] !== '"') throw new PatternError('unclosed quoted string');
        return concat(nodes);
      }
      case '\\': {
        if (i >= pattern.length) throw new PatternError('a pattern cannot end with an escape');
        const e = pattern[i++] as string;
        // \w \d \s and their negations are classes in Lucene's RegExp: read as any character.
        return CLASS_ESCAPES.has(e) ? ANY : literalNode(e, norm, budget);
      }
      case '~':
        // Complement of the next atom (any run of ~ is one): anything, as a superset, as specific as what it complements.
        while (peek() === '~') i++;
        if (i < pattern.length && peek() !== ')' && peek() !== '|' && peek() !== '&') return { k: 'star', n: ANY, pins: literalCount(repeat(depth + 1)) };
        return ANY_RUN;
      case '@':
      case '#':
        return ANY_RUN;
      case '<': {
        const end = pattern.indexOf('>', i);
        if (end < 0) throw new PatternError('unclosed numeric interval');
        i = end + 1;
        return ANY_RUN;
      }
      default:
        return literalNode(c, norm, budget);
    }
  };
  const charClass = (): PatternNode => {
    let negated = false;
    if (peek() === '^') {
      negated = true;
      i++;
    }
    const members = new Set<string>();
    let anything = negated;
    let first = true;
    while (i < pattern.length && (pattern[i] !== ']' || first)) {
      first = false;
      let lo = pattern[i++] as string;
      if (lo === '\\' && i < pattern.length) {
        lo = pattern[i++] as string;
        if (CLASS_ESCAPES.has(lo)) anything = true;
      }
      if (pattern[i] === '-' && pattern[i + 1] !== undefined && pattern[i + 1] !== ']') {
        i++;
        let hi = pattern[i++] as string;
        if (hi === '\\' && i < pattern.length) hi = pattern[i++] as string;
        const from = lo.codePointAt(0) ?? 0;
        const to = hi.codePointAt(0) ?? 0;
        if (to - from > MAX_CLASS_RANGE) anything = true;
        else for (let cp = from; cp <= to; cp++) members.add(String.fromCodePoint(cp));
      } else members.add(lo);
    }
    if (pattern[i++] !== ']') throw new PatternError('unclosed character class');
    if (negated) {
      // Read as any character (a superset: case and folding make exact negation unsafe), but a class that
      // rules out most letters ([^a-bd-z] is "c") pins a character as a literal does.
      let letters = 0;
      for (let c = 97; c <= 122; c++) if (members.has(String.fromCharCode(c)) || members.has(String.fromCharCode(c - 32))) letters++;
      return letters >= 20 ? { k: 'set', any: true, codes: [], pins: true } : ANY;
    }
    if (anything) return ANY;
    const folded = new Set<string>();
    let orNothing = false;
    for (const m of members) {
      const n = literalNode(m, norm, budget);
      if (n.k === 'set' && n.literal !== undefined) for (const x of n.literal) folded.add(x);
      else if (n.k === 'opt') {
        // A separator in the class: a space, or nothing.
        folded.add(' ');
        orNothing = true;
      }
    }
    const set: PatternNode = { k: 'set', codes: [...folded].map((c) => c.charCodeAt(0)) };
    return orNothing ? { k: 'opt', n: set } : set;
  };
  const node = alt(0);
  if (i < pattern.length) throw new PatternError(`unexpected "${pattern[i]}" at ${i}`);
  return node;
}

/**
 * How many characters a pattern pins down (how specific it is): a literal or
 * a class ([c], [o0], [c-k], [c ]) counts one wherever it sits, optional or
 * not, an alternation counts its most specific branch and a complement what
 * it complements, so `c?o?c?a?i?n?e?`, `(x|cocaine)` and `~(~(cocaine))` are
 * as specific as `cocaine`. Only `.`, negated classes, wide ranges and
 * runs of them count nothing.
 */
export function literalCount(node: PatternNode): number {
  switch (node.k) {
    case 'set':
      return node.any && !node.pins ? 0 : 1;
    case 'cat':
      return node.a.reduce((n, x) => n + literalCount(x), 0);
    case 'alt':
      return Math.max(...node.a.map(literalCount));
    case 'star':
      return node.pins ?? literalCount(node.n);
    default:
      return literalCount(node.n);
  }
}

/** One bit per character class (code mod 32) of the characters every match must contain: a cheap filter before the automaton. */
export function requiredMask(node: PatternNode): number {
  switch (node.k) {
    case 'set':
      return node.codes.length === 1 && !node.any ? charBit(node.codes[0] as number) : 0;
    case 'cat':
      return node.a.reduce((m, x) => m | requiredMask(x), 0);
    case 'alt':
      return node.a.reduce((m, x) => m & requiredMask(x), -1);
    case 'plus':
      return requiredMask(node.n);
    default:
      return 0;
  }
}

export function charBit(code: number): number {
  return 1 << (code & 31);
}

/** The mask of the characters a word contains (see requiredMask). */
export function wordMask(word: string): number {
  let m = 0;
  for (let i = 0; i < word.length; i++) m |= charBit(word.charCodeAt(i));
  return m;
}

/** The fixed start every match shares (for a range lookup in the sorted lexicon). */
export function fixedPrefix(node: PatternNode): string {
  if (node.k === 'set') return node.literal !== undefined && node.literal.length === 1 ? node.literal : '';
  if (node.k !== 'cat') return '';
  let out = '';
  for (const n of node.a) {
    if (n.k !== 'set' || n.literal === undefined || n.literal.length !== 1) break;
    out += n.literal;
  }
  return out;
}

const MATCH = -1;
const SPLIT = -2;
const ANY_CHAR = -3;
const SET = -4;

/** A compiled NFA: `test(s)` says whether the pattern accepts all of `s`, in O(|s| × states). */
export class Nfa {
  /** Per state: a character code, ANY_CHAR, SPLIT, or the index+base of a code set (see `sets`). */
  private readonly kind: number[] = [];
  private readonly sets: (ReadonlySet<number> | undefined)[] = [];
  /** For a char state: next state. For a split: first branch. */
  private readonly next: number[] = [];
  /** For a split: second branch. */
  private readonly alt: number[] = [];
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private gen = 0;
  private readonly dfa = new Map<string, DfaState>();
  private readonly first: DfaState;

  constructor(node: PatternNode) {
    const start = this.build(node, MATCH);
    const n = this.kind.length;
    this.mark = new Int32Array(n);
    this.stack = new Int32Array(2 * n + 2);
    this.gen++;
    const states: number[] = [];
    const matched = this.close(start, states);
    this.first = this.intern(states, matched);
  }

  get states(): number {
    return this.kind.length;
  }

  private add(kind: number, set: ReadonlySet<number> | undefined, next: number, alt: number): number {
    if (this.kind.length >= MAX_STATES) throw new PatternError(`more than ${MAX_STATES} states`);
    this.kind.push(kind);
    this.sets.push(set);
    this.next.push(next);
    this.alt.push(alt);
    return this.kind.length - 1;
  }

  /** Compiles `node` so that it continues at `then`; returns its start state. */
  private build(node: PatternNode, then: number): number {
    switch (node.k) {
      case 'set':
        if (node.any) return this.add(ANY_CHAR, undefined, then, 0);
        if (node.codes.length === 1) return this.add(node.codes[0] as number, undefined, then, 0);
        return this.add(SET, new Set(node.codes), then, 0);
      case 'cat': {
        let s = then;
        for (let j = node.a.length - 1; j >= 0; j--) s = this.build(node.a[j] as PatternNode, s);
        return s;
      }
      case 'alt': {
        let s = this.build(node.a[node.a.length - 1] as PatternNode, then);
        for (let j = node.a.length - 2; j >= 0; j--) s = this.add(SPLIT, undefined, this.build(node.a[j] as PatternNode, then), s);
        return s;
      }
      case 'opt':
        return this.add(SPLIT, undefined, this.build(node.n, then), then);
      case 'star': {
        const split = this.add(SPLIT, undefined, 0, then);
        this.next[split] = this.build(node.n, split);
        return split;
      }
      case 'plus': {
        const split = this.add(SPLIT, undefined, 0, then);
        const body = this.build(node.n, split);
        this.next[split] = body;
        return body;
      }
    }
  }

  /** Adds the character states reachable from `s` without input to `into`; true when the end is reachable. */
  private close(s: number, into: number[]): boolean {
    const stack = this.stack;
    let top = 0;
    let matched = false;
    stack[top++] = s;
    while (top > 0) {
      const x = stack[--top] as number;
      if (x === MATCH) {
        matched = true;
        continue;
      }
      if (this.mark[x] === this.gen) continue;
      this.mark[x] = this.gen;
      if (this.kind[x] === SPLIT) {
        stack[top++] = this.alt[x] as number;
        stack[top++] = this.next[x] as number;
      } else into.push(x);
    }
    return matched;
  }

  /** The set of states after reading `c` from `from`, built once and then looked up (a lazily built DFA). */
  private step(from: DfaState, c: number, budget: { left: number }): DfaState {
    const known = from.on.get(c);
    if (known) return known;
    // Building a state costs far more than following one: charge it so.
    budget.left -= 8 * (from.states.length + 4);
    this.gen++;
    const into: number[] = [];
    let matched = false;
    for (const st of from.states) {
      const k = this.kind[st] as number;
      if (k === c || k === ANY_CHAR || (k === SET && (this.sets[st] as ReadonlySet<number>).has(c))) matched = this.close(this.next[st] as number, into) || matched;
    }
    const state = this.intern(into, matched);
    if (this.dfa.size < MAX_DFA_STATES) from.on.set(c, state);
    return state;
  }

  private intern(states: number[], matched: boolean): DfaState {
    states.sort((a, b) => a - b);
    const key = `${matched ? 1 : 0}:${states.join(',')}`;
    let state = this.dfa.get(key);
    if (!state) {
      state = { states, matched, on: new Map() };
      if (this.dfa.size < MAX_DFA_STATES) this.dfa.set(key, state);
    }
    return state;
  }

  /** Whether the whole of `s` is accepted. Each character costs one step of `budget` once the states it meets are built. */
  test(s: string, budget: { left: number }): boolean {
    let state = this.first;
    budget.left -= s.length + 1;
    for (let i = 0; i < s.length; i++) {
      state = this.step(state, s.charCodeAt(i), budget);
      if (state.states.length === 0) return i === s.length - 1 && state.matched;
    }
    return state.matched;
  }
}

interface DfaState {
  readonly states: readonly number[];
  readonly matched: boolean;
  readonly on: Map<number, DfaState>;
}

/** DFA states kept per pattern; past this the automaton still answers, building as it goes. */
const MAX_DFA_STATES = 4096;
