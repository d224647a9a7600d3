import { TOKEN_ID_SPACE, type CompiledRuleset } from '../compile';
import { SearchGuardError } from '../guard/walk';
import type { Fuzz, SearchText } from '../guard/search-text';
import { match, ruleApplies, toMillis, type Hit, type MatchContext } from '../match';
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
  path: string;
  out: BlockCheck;
}

export function checkSearchTexts(compiled: CompiledRuleset, texts: readonly (SearchText & { path?: string })[], ctx: MatchContext): BlockCheck {
  const out: BlockCheck = { shadowHits: [] };
  if (compiled.terminals.size === 0) return out;
  const run: Run = { compiled, lex: lexiconOf(compiled), ctx, nowMs: toMillis(ctx.now), budget: { left: CHECK_BUDGET }, path: '/query', out };
  for (const t of texts) {
    run.path = t.path ?? '/query';
    try {
      if (checkOne(run, t)) return out;
    } catch (err) {
      if (err instanceof PatternError) throw new SearchGuardError(`search body refused at ${run.path}: pattern not readable (${err.message})`, run.path);
      throw err;
    }
  }
  return out;
}

/** True when it found a blocking hit (stored in run.out). */
function checkOne(run: Run, t: SearchText): boolean {
  switch (t.kind) {
    case 'text':
      if (plain(run, t.text) || (!t.fuzziness && !t.prefixLast)) return run.out.hit !== undefined;
      return lattice(run, wordPositions(run, t.text, t.fuzziness ?? 0, t.prefixLast === true && !/\s$/.test(t.text)));
    case 'term':
      return plain(run, t.text);
    case 'prefix':
      return single(run, parsePrefix(t.text, run.compiled.normalizer));
    case 'wildcard':
      return single(run, parseWildcard(t.text, run.compiled.normalizer));
    case 'regexp':
      return single(run, parseRegexp(t.text, run.compiled.normalizer));
    case 'fuzzy':
      return plain(run, t.text) || lattice(run, wordPositions(run, t.text, t.fuzziness, false));
    case 'range':
      return plain(run, `${t.from} ${t.to}`) || lattice(run, [rangeCandidates(run, t.from, t.to)]);
    case 'query_string':
      return units(run, parseQueryString(t.text, t.fuzziness));
    case 'simple_query_string':
      return units(run, parseSimpleQueryString(t.text));
  }
}

function record(run: Run, hits: Iterable<Hit>): boolean {
  for (const hit of hits) {
    if (hit.shadow) {
      if (!run.out.shadowHits.some((h) => h.ruleId === hit.ruleId)) run.out.shadowHits.push(hit);
    }
    else if (hit.action === 'block_query') {
      run.out.hit = hit;
      return true;
    }
  }
  return false;
}

function plain(run: Run, text: string): boolean {
  return record(run, match(run.compiled, text, 'query', run.ctx));
}

function spend(run: Run, steps: number): void {
  run.budget.left -= steps;
  if (run.budget.left < 0) {
    throw new SearchGuardError(`search body refused at ${run.path}: too costly to check against the rules (patterns too broad or too many)`, run.path);
  }
}

/** Positions of analysed words: each word's own id, widened by fuzziness; the last one a prefix when asked. */
function wordPositions(run: Run, text: string, fuzz: Fuzz, prefixLast: boolean): number[][] {
  const words = run.compiled.normalizer.normalize(text).split(' ').filter((w) => w !== '');
  return words.map((w, i) => {
    if (prefixLast && i === words.length - 1) return patternCandidates(run, parsePrefix(w, run.compiled.normalizer), w);
    const ids = fuzzyCandidates(run, w, fuzz);
    const own = run.compiled.tokens.find(w);
    if (own >= 0 && !ids.includes(own)) ids.push(own);
    return ids;
  });
}

function fuzzyCandidates(run: Run, word: string, fuzz: Fuzz): number[] {
  const k = fuzz === 'auto' ? (word.length <= 2 ? 0 : word.length <= 5 ? 1 : 2) : fuzz;
  if (k === 0) return [];
  const { tokens, ids, masks } = run.lex;
  const out: number[] = [];
  const mine = wordMask(word);
  spend(run, tokens.length >> 4);
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

/** Rule words a pattern can match (none when it pins down too little to be a search for anything). */
function patternCandidates(run: Run, node: PatternNode, literalWord?: string, compiled?: Nfa): number[] {
  const own = literalWord === undefined ? -1 : run.compiled.tokens.find(literalWord);
  const out: number[] = own >= 0 ? [own] : [];
  if (literalCount(node) < MIN_PATTERN_LITERALS) return out;
  const nfa = compiled ?? new Nfa(node);
  const { tokens, ids, masks } = run.lex;
  const need = requiredMask(node);
  const [lo, hi] = prefixRange(tokens, fixedPrefix(node));
  spend(run, (hi - lo) >> 4);
  for (let j = lo; j < hi; j++) {
    if (((masks[j] as number) & need) !== need) continue;
    if (nfa.test(tokens[j] as string, run.budget)) out.push(ids[j] as number);
  }
  spend(run, 0);
  return out;
}

/** A whole-term pattern: rule words through the trie, and whole rule phrases it can match (keyword fields hold phrases). */
function single(run: Run, node: PatternNode): boolean {
  if (literalCount(node) < MIN_PATTERN_LITERALS) return false;
  const nfa = new Nfa(node);
  if (lattice(run, [patternCandidates(run, node, undefined, nfa)])) return true;
  const { phrases, phraseRules, phraseMasks } = run.lex;
  const need = requiredMask(node);
  const [lo, hi] = prefixRange(phrases, fixedPrefix(node));
  const hits: Hit[] = [];
  spend(run, (hi - lo) >> 4);
  for (let j = lo; j < hi; j++) {
    if (((phraseMasks[j] as number) & need) !== need) continue;
    if (!nfa.test(phrases[j] as string, run.budget)) continue;
    const rule = run.compiled.rules[phraseRules[j] as number] as Rule;
    if (ruleApplies(rule, 'query', run.ctx, run.nowMs)) hits.push(hitOf(rule));
  }
  spend(run, 0);
  return record(run, hits);
}

function rangeCandidates(run: Run, from: string, to: string): number[] {
  const norm = run.compiled.normalizer;
  const lo = lowerBound(run.lex.tokens, norm.normalize(from));
  const hiKey = norm.normalize(to);
  const out: number[] = [];
  for (let j = lo; j < run.lex.tokens.length && (run.lex.tokens[j] as string) <= hiKey; j++) {
    spend(run, 1);
    out.push(run.lex.ids[j] as number);
  }
  return out;
}

/** A parsed query string: neighbouring words read together, patterns in their places. */
function units(run: Run, parsed: QueryUnit[]): boolean {
  const positions: number[][] = [];
  let words: string[] = [];
  const flush = () => {
    if (words.length === 0) return;
    const text = words.join(' ');
    words = [];
    if (plain(run, text)) return true;
    positions.push(...wordPositions(run, text, 0, false));
    return false;
  };
  const norm = run.compiled.normalizer;
  let patterned = false;
  for (const u of parsed) {
    if (u.kind === 'words') {
      words.push(u.text);
      continue;
    }
    patterned = true;
    if (flush()) return true;
    switch (u.kind) {
      case 'fuzzy':
        if (plain(run, u.text)) return true;
        positions.push(...wordPositions(run, u.text, u.fuzziness, false));
        break;
      case 'wildcard': {
        const node = parseWildcard(u.text, norm);
        if (single(run, node)) return true;
        positions.push(patternCandidates(run, node));
        break;
      }
      case 'regexp': {
        const node = parseRegexp(u.text, norm);
        if (single(run, node)) return true;
        positions.push(patternCandidates(run, node));
        break;
      }
      case 'range':
        if (plain(run, `${u.from} ${u.to}`)) return true;
        positions.push(rangeCandidates(run, u.from, u.to));
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
