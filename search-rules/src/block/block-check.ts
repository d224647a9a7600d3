import { TOKEN_ID_SPACE, type CompiledRuleset } from '../compile';
import { SearchGuardError, pointer, type GuardedText } from '../guard/walk';
import type { Fuzz, SearchText } from '../guard/search-text';
import { matchScanned, ruleApplies, toMillis, type Hit, type MatchContext } from '../match';
import type { Rule } from '../rule';
import { withinDistance } from './edit-distance';
import { lexiconOf, lowerBound, prefixRange, type Lexicon } from './lexicon';
import { parseQueryString, parseSimpleQueryString, type QueryUnit } from './query-syntax';
import { Nfa, PatternError, fixedPrefix, literalCount, requiredMask, wordMask, parsePrefix, parseRegexp, parseWildcard, type PatternNode } from './term-pattern';

/**
 * Decides whether a search looks for what a `block_query` rule refuses,
 * reading every search text the way Elasticsearch will match it:
 *
 * - plain analysed text and exact terms go through the matcher as they are;
 * - fuzzy words (match `fuzziness`, `fuzzy`, `term~`) stand for every rule
 *   word within their edit distance;
 * - prefixes, wildcards and regular expressions stand for every rule word
 *   (and whole rule phrase) they can match, read as a superset (see
 *   term-pattern.ts); a pattern that pins down fewer than
 *   MIN_PATTERN_LITERALS characters (`*`, `c*`, `.*a`) finds everything, so
 *   it is no more a search for a blocked word than `match_all` is;
 * - a term range bounded by two strings stands for every rule word inside it;
 * - query strings are parsed (escapes, operators, field prefixes, fuzzy,
 *   wildcards, regexps, ranges) and their parts read as above, neighbours
 *   together, so phrases across operators still match.
 *
 * Each text becomes a lattice (a list of positions, each a set of rule-word
 * ids) walked through the matcher's trie, so a phrase rule matches whatever
 * mix of literal and patterned words spells it. The work is bounded: past
 * CHECK_BUDGET steps the search is refused as too costly to check.
 */
export interface BlockCheck {
  /** The first live, non-shadow `block_query` hit, if any. */
  hit?: Hit;
  /** Hits of shadow rules, counted and never acted on. */
  shadowHits: Hit[];
}

/** How many characters a pattern must pin down before it is checked at all. */
export const MIN_PATTERN_LITERALS = 3;
/** Steps (automaton states, edit-distance cells, trie probes) one search may cost the check. */
export const CHECK_BUDGET = 400_000;

interface Run {
  compiled: CompiledRuleset;
  lex: Lexicon;
  ctx: MatchContext;
  nowMs: number;
  budget: { left: number };
  /** Where the text being checked came from (segments; spelled out only for a refusal). */
  at: readonly string[];
  out: BlockCheck;
  nfas: Map<string, Nfa>;
  /** Rule-word ids each distinct pattern reaches, once per search. */
  reach: Map<string, number[]>;
}

const QUERY = ['query'];

export function checkSearchTexts(
  compiled: CompiledRuleset,
  texts: readonly GuardedText[],
  ctx: MatchContext,
  budget: { left: number } = { left: CHECK_BUDGET },
): BlockCheck {
  const out: BlockCheck = { shadowHits: [] };
  if (compiled.terminals.size === 0) return out;
  const run: Run = { compiled, lex: lexiconOf(compiled), ctx, nowMs: toMillis(ctx.now), budget, at: QUERY, out, nfas: new Map(), reach: new Map() };
  const bounds: Bounds = new Map();
  for (const t of texts) {
    run.at = t.at ?? QUERY;
    try {
      if (t.kind === 'bound') addBound(bounds, t.field, t.side, t.value);
      else if (checkOne(run, t, bounds)) return out;
    } catch (err) {
      if (err instanceof PatternError) throw new SearchGuardError(`search body refused at ${pointer(run.at)}: pattern not readable (${err.message})`, pointer(run.at));
      throw err;
    }
  }
  run.at = QUERY;
  halfRanges(run, bounds);
  return out;
}

/** Ends of term ranges per field, from anywhere in the body. */
type Bounds = Map<string, { from: string[]; to: string[] }>;
const MAX_BOUNDS_PER_SIDE = 16;

function addBound(bounds: Bounds, field: string, side: 'from' | 'to', value: string): void {
  let b = bounds.get(field);
  if (!b) bounds.set(field, (b = { from: [], to: [] }));
  if (b[side].length < MAX_BOUNDS_PER_SIDE) b[side].push(value);
}

/** Two half-open ranges ANDed on one field pin the terms between them: every lower end against every upper end. */
function halfRanges(run: Run, bounds: Bounds): boolean {
  for (const { from, to } of bounds.values()) {
    // Each bound normalised once (and charged), then paired.
    const los = from.map((b) => bound(run, b));
    const his = to.map((b) => bound(run, b));
    for (const lo of los) for (const hi of his) if (lattice(run, [rangeCandidates(run, lo, hi)])) return true;
  }
  return false;
}

/** A range bound raw (Elasticsearch compares raw terms) and normalised, the normalising charged. */
type Bound = { raw: string; normalized: string };
function bound(run: Run, raw: string): Bound {
  spend(run, raw.length * 4);
  const normalized = run.compiled.normalizer.normalize(raw);
  spend(run, normalized.length * 4);
  return { raw, normalized };
}

/** True when it found a blocking hit (stored in run.out). */
function checkOne(run: Run, t: SearchText, bounds: Bounds): boolean {
  const norm = run.compiled.normalizer;
  switch (t.kind) {
    case 'text': {
      if (plain(run, t.text)) return true;
      if (!t.fuzziness && !t.prefixLast && !t.slop) return false;
      return wordLattices(run, t.text, t.fuzziness ?? 0, t.prefixLast ? 'last' : 'none', (t.slop ?? 0) > 0);
    }
    case 'term':
      return plain(run, t.text);
    case 'prefix':
      return single(run, parsePrefix(t.text, norm, run.budget), `p:${t.text}`);
    case 'wildcard':
      return single(run, parseWildcard(t.text, norm, run.budget), `w:${t.text}`);
    case 'regexp':
      return single(run, parseRegexp(t.text, norm, run.budget), `r:${t.text}`);
    case 'fuzzy':
      return fuzzyTerm(run, t.text, t.fuzziness);
    case 'range':
      return plain(run, `${t.from} ${t.to}`) || lattice(run, [rangeCandidates(run, bound(run, t.from), bound(run, t.to))]);
    case 'query_string':
      return plain(run, t.text) || units(run, parseQueryString(t.text, t.fuzziness), t.prefixWords === true, bounds);
    case 'simple_query_string':
      return plain(run, t.text) || units(run, parseSimpleQueryString(t.text), false, bounds);
    case 'bound':
      return false;
  }
}

function record(run: Run, hits: Iterable<Hit>): boolean {
  for (const hit of hits) {
    if (hit.shadow) {
      if (!run.out.shadowHits.some((h) => h.ruleId === hit.ruleId)) run.out.shadowHits.push(hit);
    } else if (hit.action === 'block_query') {
      run.out.hit = hit;
      return true;
    }
  }
  return false;
}

/**
 * The ways a text may be split into words. The normaliser joins what
 * Elasticsearch's analysers split (control characters, `$ @ | !` inside
 * words, zero-width spaces: "best$cocaine" is one evasive word to it), and
 * the `simple` analyser also splits at digits; each reading is checked.
 */
export function readings(text: string): string[] {
  const kinds = classify(text);
  if (kinds === 0) return [text];
  const out = [text];
  if (kinds & SPLIT) {
    out.push(text.replace(NOT_WORD, ' '));
    if (kinds & NUMBER) out.push(text.replace(NOT_LETTER, ' '));
  }
  // The standard tokenizer also breaks between Latin and Han, Kana or Thai and at letters newer than its
  // Unicode tables, and the simple one at combining marks (which the normaliser drops): the letters of the
  // scripts the rules are written in, read alone, cover that.
  if (kinds & OTHER) out.push(text.replace(NOT_RULE_SCRIPT, ' '));
  // Analysers cut words at 255 characters: a 255-letter run glued to a word is two tokens to them.
  if (kinds & LONG) out.push(text.replace(/\S{255}/gu, '$& '));
  return out.length > 2 ? [...new Set(out)] : out;
}
const NOT_WORD = /[^\p{L}\p{N}\p{M}]+/gu;
const NOT_LETTER = /[^\p{L}\p{M}]+/gu;
const NOT_WORD_OR_FORMAT = /[^\p{L}\p{N}\p{M}\p{Cf}]+/gu;
const NOT_RULE_SCRIPT = /(?:[^\p{sc=Latin}\p{sc=Cyrillic}\p{sc=Arabic}\p{sc=Greek}\p{N}]|\p{M})+/gu;

/** What a text holds that calls for another reading: one pass over a per-character table (Unicode regexes cost microseconds). */
const SPLIT = 1;
const NUMBER = 2;
const OTHER = 4;
const LONG = 8;
let table: Uint8Array | undefined;

function charTable(): Uint8Array {
  if (table) return table;
  const t = new Uint8Array(0x10000);
  // One global regex pass per class over every BMP character (a regex test per character would take far longer).
  let all = '';
  for (let c = 0; c < 0x10000; c++) all += c >= 0xd800 && c <= 0xdfff ? ' ' : String.fromCharCode(c);
  const mark = (re: RegExp, bit: number) => {
    for (const m of all.matchAll(re)) t[m.index] = (t[m.index] as number) | bit;
  };
  mark(/[^\p{L}\p{M}]/gu, SPLIT);
  mark(/\p{N}/gu, NUMBER);
  mark(/[^\p{sc=Latin}\p{sc=Cyrillic}\p{sc=Arabic}\p{sc=Greek}\p{N}]|\p{M}/gu, OTHER);
  t[32] = 0;
  // Surrogates stand for astral characters: read them as splitting and foreign (the safe side).
  for (let c = 0xd800; c <= 0xdfff; c++) t[c] = SPLIT | OTHER;
  table = t;
  return t;
}

function classify(text: string): number {
  const t = charTable();
  let kinds = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    kinds |= t[c] as number;
    run = c === 32 || c === 9 || c === 10 || c === 13 ? 0 : run + 1;
    if (run > 255) kinds |= LONG;
  }
  return kinds;
}

function plain(run: Run, text: string): boolean {
  for (const r of readings(text)) {
    spend(run, r.length);
    const scanned = run.compiled.normalizer.scan(r);
    // Normalising is the cost (compatibility characters expand up to 18-fold): charge what it produced.
    spend(run, scanned.length * 4);
    if (record(run, matchScanned(run.compiled, scanned, 'query', run.ctx))) return true;
  }
  return false;
}

/** One automaton per distinct pattern in a search (a body may repeat one many times). */
function nfaOf(run: Run, node: PatternNode, key: string): Nfa {
  let nfa = run.nfas.get(key);
  if (!nfa) {
    nfa = new Nfa(node);
    spend(run, nfa.states * 8);
    run.nfas.set(key, nfa);
  }
  return nfa;
}

function spend(run: Run, steps: number): void {
  run.budget.left -= steps;
  if (run.budget.left < 0) {
    throw new SearchGuardError(`search body refused at ${pointer(run.at)}: too costly to check against the rules (patterns too broad or too many)`, pointer(run.at));
  }
}

type PrefixMode = 'none' | 'last' | 'all';

/**
 * Analysed words as lattices, in every reading: normalised words, and for
 * fuzzy searches also the raw lower-cased words (Elasticsearch measures the
 * distance on its own tokens, "coca.ne" included); with slop, the words in
 * any order.
 */
function wordLattices(run: Run, text: string, fuzz: Fuzz, prefix: PrefixMode, slop: boolean): boolean {
  const norm = run.compiled.normalizer;
  for (const r of readings(text)) {
    const words = norm.normalize(r).split(' ').filter((w) => w !== '');
    if (lattice(run, positionsOf(run, words, fuzz, prefix))) return true;
    if (slop && anyOrder(run, words)) return true;
  }
  if (fuzz !== 0) {
    // Elasticsearch measures edits on its own tokens: raw words split at spaces, or at anything not a letter or digit.
    const lower = text.toLowerCase();
    // Format characters (soft hyphen, joiners) stay inside Elasticsearch's tokens and lengthen them.
    for (const raw of [lower.split(/\s+/), lower.split(NOT_WORD), lower.split(NOT_WORD_OR_FORMAT)]) {
      if (lattice(run, positionsOf(run, raw.filter((w) => w !== ''), fuzz, prefix))) return true;
    }
  }
  return false;
}

/** Each word's own id, widened by fuzziness; prefixes where asked (a lone prefix must pin down enough to be checked). */
function positionsOf(run: Run, words: string[], fuzz: Fuzz, prefix: PrefixMode): number[][] {
  const norm = run.compiled.normalizer;
  return words.map((w, i) => {
    if (prefix === 'all' || (prefix === 'last' && i === words.length - 1)) {
      const asPrefix = patternCandidates(run, parsePrefix(w, norm, run.budget), `p:${w}`, w, words.length === 1);
      // A last word that ends before the text does is a whole, fuzzy word to Elasticsearch: read it both ways.
      return fuzz === 0 ? asPrefix : [...asPrefix, ...fuzzyCandidates(run, w, fuzz)];
    }
    const ids = fuzzyCandidates(run, w, fuzz);
    const own = run.compiled.tokens.find(w);
    if (own >= 0 && !ids.includes(own)) ids.push(own);
    return ids;
  });
}

/** Phrase rules all of whose words occur among `words`, in any order (a phrase searched with slop). */
function anyOrder(run: Run, words: string[]): boolean {
  const have = new Set(words);
  const { phraseWords, phraseRules } = run.lex;
  spend(run, phraseWords.length);
  const hits: Hit[] = [];
  for (let j = 0; j < phraseWords.length; j++) {
    if (!(phraseWords[j] as string[]).every((w) => have.has(w))) continue;
    const rule = run.compiled.rules[phraseRules[j] as number] as Rule;
    if (ruleApplies(rule, 'query', run.ctx, run.nowMs)) hits.push(hitOf(rule));
  }
  return record(run, hits);
}

/**
 * A fuzzy term (`fuzzy`, `term~N`): as text, as analysed words, and whole, since it is not analysed and the
 * value, spaces included, is one term to Elasticsearch.
 */
function fuzzyTerm(run: Run, text: string, fuzz: Fuzz): boolean {
  return plain(run, text) || wordLattices(run, text, fuzz, 'none', false) || lattice(run, [fuzzyCandidates(run, text.toLowerCase(), fuzz)]);
}

function fuzzyCandidates(run: Run, given: string, fuzz: Fuzz): number[] {
  // Elasticsearch counts edits in code points: an emoji is one character, not two UTF-16 units.
  const word = given.replace(ASTRAL, '\ue000');
  const k = fuzz === 'auto' ? (word.length <= 2 ? 0 : word.length <= 5 ? 1 : 2) : fuzz;
  if (k === 0) return [];
  const { tokens, ids, masks } = run.lex;
  const out: number[] = [];
  const mine = wordMask(word);
  spend(run, tokens.length);
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j] as string;
    if (Math.abs(t.length - word.length) > k) continue;
    // Each character kind one word has and the other lacks costs an edit at least.
    const theirs = masks[j] as number;
    if (popcount(theirs & ~mine) > k || popcount(mine & ~theirs) > k) continue;
    spend(run, t.length * (2 * k + 1));
    if (withinDistance(word, t, k)) out.push(ids[j] as number);
  }
  return out;
}

const ASTRAL = /[\ud800-\udbff][\udc00-\udfff]/g;

/** Rule words a pattern can match (none when, alone, it pins down too little to be a search for anything). */
function patternCandidates(run: Run, node: PatternNode, key: string, literalWord?: string, alone = true): number[] {
  const own = literalWord === undefined ? -1 : run.compiled.tokens.find(literalWord);
  const out: number[] = own >= 0 ? [own] : [];
  if (alone && literalCount(node) < MIN_PATTERN_LITERALS) return out;
  const known = run.reach.get(key);
  if (known) return own >= 0 && !known.includes(own) ? [own, ...known] : known;
  const { tokens, ids, masks } = run.lex;
  const [lo, hi] = prefixRange(tokens, fixedPrefix(node));
  if (lo === hi) return out;
  const nfa = nfaOf(run, node, key);
  const need = requiredMask(node);
  spend(run, (hi - lo) >> 2);
  for (let j = lo; j < hi; j++) {
    if (((masks[j] as number) & need) !== need) continue;
    if (nfa.test(tokens[j] as string, run.budget)) out.push(ids[j] as number);
  }
  spend(run, 0);
  run.reach.set(key, out);
  return out;
}

/** A whole-term pattern: rule words through the trie, and whole rule phrases it can match (keyword fields hold phrases). */
function single(run: Run, node: PatternNode, key: string): boolean {
  if (literalCount(node) < MIN_PATTERN_LITERALS) return false;
  if (lattice(run, [patternCandidates(run, node, key)])) return true;
  const { phrases, phraseRules, phraseMasks } = run.lex;
  const [lo, hi] = prefixRange(phrases, fixedPrefix(node));
  if (lo === hi) return false;
  const nfa = nfaOf(run, node, key);
  const need = requiredMask(node);
  const hits: Hit[] = [];
  spend(run, (hi - lo) >> 2);
  for (let j = lo; j < hi; j++) {
    if (((phraseMasks[j] as number) & need) !== need) continue;
    if (!nfa.test(phrases[j] as string, run.budget)) continue;
    const rule = run.compiled.rules[phraseRules[j] as number] as Rule;
    if (ruleApplies(rule, 'query', run.ctx, run.nowMs)) hits.push(hitOf(rule));
  }
  spend(run, 0);
  return record(run, hits);
}

/** Rule words inside a term range, with the bounds read both as given (Elasticsearch compares raw terms) and normalised. */
function rangeCandidates(run: Run, from: Bound, to: Bound): number[] {
  const out = new Set<number>();
  for (const [lo, hi] of [
    [from.raw, to.raw],
    [from.normalized, to.normalized],
  ] as const) {
    for (let j = lowerBound(run.lex.tokens, lo); j < run.lex.tokens.length && (run.lex.tokens[j] as string) <= hi; j++) {
      spend(run, 1);
      out.add(run.lex.ids[j] as number);
    }
  }
  return [...out];
}

/** A parsed query string: neighbouring words read together, patterns in their places. */
function units(run: Run, parsed: QueryUnit[], prefixWords: boolean, bounds: Bounds): boolean {
  const positions: number[][] = [];
  let words: string[] = [];
  const flush = () => {
    if (words.length === 0) return false;
    const text = words.join(' ');
    words = [];
    if (plain(run, text)) return true;
    if (!patterned) return false;
    for (const r of readings(text)) positions.push(...positionsOf(run, run.compiled.normalizer.normalize(r).split(' ').filter((w) => w !== ''), 0, prefixWords ? 'all' : 'none'));
    return false;
  };
  const norm = run.compiled.normalizer;
  // Words alone are read whole by the matcher; the lattice is only needed for phrases that run through patterns.
  const patterned = prefixWords || parsed.some((u) => u.kind !== 'words');
  for (const u of parsed) {
    if (u.kind === 'words') {
      if (u.slop && wordLattices(run, u.text, 0, 'none', true)) return true;
      words.push(u.text);
      continue;
    }
    if (flush()) return true;
    switch (u.kind) {
      case 'fuzzy':
        if (fuzzyTerm(run, u.text, u.fuzziness)) return true;
        positions.push(...positionsOf(run, norm.normalize(u.text).split(' ').filter((w) => w !== ''), u.fuzziness, 'none'));
        break;
      case 'wildcard': {
        const node = parseWildcard(u.text, norm, run.budget);
        if (single(run, node, `w:${u.text}`)) return true;
        // analyze_wildcard splits the term as the analyser would, the pieces with * or ? staying patterns.
        for (const piece of u.text.split(/[^\p{L}\p{N}\p{M}*?\\]+/u)) {
          if (piece === u.text || piece === '') continue;
          if (/[*?]/.test(piece) ? single(run, parseWildcard(piece, norm, run.budget), `w:${piece}`) : plain(run, piece)) return true;
        }
        positions.push(patternCandidates(run, node, `w:${u.text}`, undefined, false));
        break;
      }
      case 'regexp': {
        const node = parseRegexp(u.text, norm, run.budget);
        if (single(run, node, `r:${u.text}`)) return true;
        positions.push(patternCandidates(run, node, `r:${u.text}`, undefined, false));
        break;
      }
      case 'range':
        if (plain(run, `${u.from} ${u.to}`)) return true;
        positions.push(rangeCandidates(run, bound(run, u.from), bound(run, u.to)));
        break;
      case 'bound':
        if (plain(run, u.value)) return true;
        // Query strings do not track fields here: their half-open ends are read together.
        addBound(bounds, '\u0000query_string', u.side, u.value);
        break;
    }
  }
  if (flush()) return true;
  // Words alone were read whole by the matcher already; the lattice only adds phrases that run through patterns.
  return patterned && lattice(run, positions);
}

function hitOf(rule: Rule): Hit {
  return { ruleId: rule.id, category: rule.category, action: rule.action, shadow: rule.shadow === true, start: 0, end: 0 };
}

/** Walks the trie over a lattice of word-id sets from every start position. */
function lattice(run: Run, positions: number[][]): boolean {
  const { edges, terminals, rules } = run.compiled;
  const hits: Hit[] = [];
  for (let s = 0; s < positions.length; s++) {
    let nodes: number[] = [0];
    for (let p = s; p < positions.length && nodes.length > 0; p++) {
      const ids = positions[p] as number[];
      spend(run, nodes.length * ids.length);
      const next = new Set<number>();
      for (const node of nodes) {
        for (const id of ids) {
          const child = edges.get(node * TOKEN_ID_SPACE + id);
          if (child === undefined) continue;
          next.add(child);
          for (const index of terminals.get(child) ?? []) {
            const rule = rules[index] as Rule;
            if (ruleApplies(rule, 'query', run.ctx, run.nowMs)) hits.push(hitOf(rule));
          }
        }
      }
      nodes = [...next];
    }
    if (record(run, hits.splice(0))) return true;
  }
  return false;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
