import { ValidationError, compileValidator } from '@takedown/shared';
import type { RE2 } from 're2-wasm';
import { Normalizer, type NormalizerOptions } from './normalizer';
import { REGEX_LIMITS, checkRegex, compileRegex, compileUnion, programSize, releaseNow, releaseRegex, releaseWith } from './regex-rule';
import { PDQ_MIN_QUALITY, ruleSchema, rulesetSchema, type Rule, type Ruleset } from './rule';
import { TokenTable } from './token-table';
import { MAX_VARIANTS_PER_WORD, wordVariants } from './variants/word-variants';

/**
 * A ruleset compiled for matching. Terms and phrases become paths in a trie
 * over token ids (a word-level automaton: whole-token hash lookups, so word
 * boundaries hold by construction); sha256 rules a hash map.
 */
export interface CompiledRuleset {
  readonly version: number;
  readonly publishedAt: string;
  readonly rules: readonly Rule[];
  readonly byId: ReadonlyMap<string, Rule>;
  /** Rule id → its index in `rules`. */
  readonly indexById: ReadonlyMap<string, number>;
  readonly normalizer: Normalizer;
  /** @internal */ readonly tokens: TokenTable;
  /** @internal trie edges: key = node * 2^21 + tokenId → child node */
  readonly edges: Map<number, number>;
  /** @internal rule indices ending at a trie node */
  readonly terminals: Map<number, number[]>;
  /** @internal lower-case sha256 → rule indices */
  readonly hashes: Map<string, number[]>;
  /** @internal regex rules: rule index and compiled RE2 (freed when this ruleset is collected) */
  readonly regexes: readonly { index: number; re: RE2 }[];
  /** @internal all regex rules as one alternation: when it does not match, none does */
  readonly regexUnion: RE2 | undefined;
  /** Normalised pattern of each rule (index-aligned with `rules`; '' for sha256 and pdq; the pattern itself for regex). */
  readonly normalizedPatterns: readonly string[];
}

export const TOKEN_ID_SPACE = 2 ** 21;

const validateRule = compileValidator<Rule>(ruleSchema, 'rule');
// The ruleset schema refers to the rule schema by $id; compiling the rule first registers it.
const validateRuleset = compileValidator<Ruleset>(rulesetSchema, 'ruleset');

/**
 * Validates one rule beyond its schema: its pattern must leave something to
 * match after normalisation, and a regex must compile on RE2 within the
 * limits of regex-rule.ts.
 */
export function validateRuleDefinition(input: unknown, normalizer: Normalizer = defaultNormalizer()): Rule {
  const rule = validateRule(input);
  if (rule.kind === 'regex') {
    // Previews and the csam restriction filter content in Elasticsearch, which cannot run RE2: a csam regex would leak there.
    if (rule.category === 'csam') throw new ValidationError('rule: csam rules cannot be regex rules (use terms, phrases or hashes)', '/kind', 'regex_not_supported');
    checkRegex(rule.pattern);
  }
  if (rule.kind !== 'pdq') {
    if (rule.hashList !== undefined) throw new ValidationError('rule: /hashList belongs to pdq rules only', '/hashList');
    if (rule.quality !== undefined) throw new ValidationError('rule: /quality belongs to pdq rules only', '/quality');
  } else if (rule.quality !== undefined && rule.quality < PDQ_MIN_QUALITY) {
    throw new ValidationError(
      `rule: /quality ${rule.quality} is below ${PDQ_MIN_QUALITY}: a low-quality PDQ hash (a near-flat image) matches unrelated images`,
      '/quality',
      'pdq_low_quality',
    );
  }
  if ((rule.kind === 'term' || rule.kind === 'phrase') && normalizer.normalize(rule.pattern).length === 0) {
    throw new ValidationError('rule: /pattern has nothing left to match after normalisation', '/pattern');
  }
  if (rule.kind === 'term' && normalizer.normalize(rule.pattern).includes(' ')) {
    throw new ValidationError('rule: a term is one word; use kind "phrase" for several', '/pattern');
  }
  return rule;
}

let sharedNormalizer: Normalizer | undefined;
function defaultNormalizer(): Normalizer {
  sharedNormalizer ??= new Normalizer();
  return sharedNormalizer;
}

export interface CompileOptions extends NormalizerOptions {
  /** Skip per-rule validation (the caller validated, e.g. at publish). */
  trusted?: boolean;
  /** Add the inflected, clitic and transliterated spellings of pattern words (default on; off to measure without them). */
  variants?: boolean;
}

/**
 * Registers each pattern word's other spellings (see variants/word-variants)
 * as aliases of its token, after every real pattern word is interned: an
 * alias never displaces a word some rule spells out. Aliases live only in
 * the token table, so the trie and the text are untouched and a match costs
 * the same one lookup per token.
 */
function addVariants(rules: readonly Rule[], normalizer: Normalizer, tokens: TokenTable): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (rule.kind !== 'term' && rule.kind !== 'phrase') continue;
    for (const raw of rule.pattern.split(/\s+/)) {
      if (raw === '' || seen.has(raw)) continue;
      seen.add(raw);
      const word = normalizer.normalize(raw);
      if (word === '' || word.includes(' ')) continue;
      const id = tokens.find(word);
      if (id < 0) continue;
      const { native, crossScript } = wordVariants(raw);
      for (const v of native.slice(0, MAX_VARIANTS_PER_WORD)) {
        const form = normalizer.normalize(v);
        if (form !== '' && !form.includes(' ')) tokens.alias(form, id);
      }
      for (const v of crossScript.slice(0, MAX_VARIANTS_PER_WORD)) {
        const form = normalizer.normalize(v);
        // A Cyrillic spelling whose skeleton folds back to Latin letters reads
        // as a Latin word: kept only when long enough not to be a common one
        // ("мет" folds to "met", as "meet" does; "кетамин" to "ketamuh").
        if ((/[^\x00-\x7f]/.test(form) || form.length >= 5) && !form.includes(' ')) tokens.alias(form, id);
      }
    }
  }
}

/** Validates and compiles a ruleset. Throws a ValidationError naming the rule's index and field. */
export function compileRuleset(input: Ruleset, opts: CompileOptions = {}): CompiledRuleset {
  const emojiWords = opts.emojiWords ?? input.emojiWords;
  const normalizer = emojiWords ? new Normalizer({ emojiWords }) : defaultNormalizer();
  const ruleset = opts.trusted ? input : validateRuleset(input);
  const tokens = new TokenTable(ruleset.rules.length * 2);
  const edges = new Map<number, number>();
  const terminals = new Map<number, number[]>();
  const hashes = new Map<string, number[]>();
  const byId = new Map<string, Rule>();
  const indexById = new Map<string, number>();
  const normalizedPatterns: string[] = [];
  const regexes: { index: number; re: RE2 }[] = [];
  let nodes = 1;
  if (!opts.trusted) {
    // Every regex rule of every compiled ruleset in a thread shares one fixed 16 MiB heap (see regex-rule.ts).
    const regexRules = ruleset.rules.filter((r) => r.kind === 'regex');
    if (regexRules.length > REGEX_LIMITS.maxRulesPerRuleset) {
      throw new ValidationError(`rules: at most ${REGEX_LIMITS.maxRulesPerRuleset} regex rules per ruleset (found ${regexRules.length})`, '/rules', 'too_many_regex_rules');
    }
    const size = regexRules.reduce((sum, r) => sum + programSize(r.pattern), 0);
    if (size > REGEX_LIMITS.maxTotalProgramSize) {
      throw new ValidationError(`rules: the regex rules together are too large (${size} > ${REGEX_LIMITS.maxTotalProgramSize})`, '/rules', 'too_many_regex_rules');
    }
  }

  try {
    ruleset.rules.forEach((rule, index) => {
      if (!opts.trusted) {
        try {
          validateRuleDefinition(rule, normalizer);
        } catch (err) {
          if (err instanceof ValidationError) {
            throw new ValidationError(`rules[${index}] (${rule.id}): ${err.message}`, `/rules/${index}${err.field ?? ''}`, err.code);
          }
          throw err;
        }
        if (byId.has(rule.id)) {
          throw new ValidationError(`rules[${index}]: duplicate rule id ${rule.id}`, `/rules/${index}/id`, 'duplicate_rule');
        }
      }
      byId.set(rule.id, rule);
      indexById.set(rule.id, index);
      if (rule.kind === 'sha256') {
        const key = rule.pattern.toLowerCase();
        const list = hashes.get(key) ?? [];
        list.push(index);
        hashes.set(key, list);
        normalizedPatterns.push('');
        return;
      }
      // PDQ rules are matched by distance through their own index (pdq/pdq-match.ts), built on first use.
      if (rule.kind === 'pdq') {
        normalizedPatterns.push('');
        return;
      }
      if (rule.kind === 'regex') {
        // Patterns are written against normalised text and are not normalised themselves (it would break their syntax).
        regexes.push({ index, re: compileRegex(rule.pattern, `/rules/${index}/pattern`) });
        normalizedPatterns.push(rule.pattern);
        return;
      }
      const normalized = normalizer.normalize(rule.pattern);
      normalizedPatterns.push(normalized);
      const words = normalized.split(' ');
      const paths = [words];
      // A phrase spelled letter by letter ("b u y m o l l y") joins into one
      // word, so the phrase also matches as its words run together.
      if (words.length > 1) paths.push([normalizer.normalize(words.join(''))]);
      for (const path of paths) {
        let node = 0;
        for (const word of path) {
          const id = tokens.intern(word);
          const key = node * TOKEN_ID_SPACE + id;
          let next = edges.get(key);
          if (next === undefined) {
            next = nodes++;
            edges.set(key, next);
          }
          node = next;
        }
        const list = terminals.get(node) ?? [];
        if (!list.includes(index)) list.push(index);
        terminals.set(node, list);
      }
    });
  } catch (err) {
    // A later rule was refused: free the patterns compiled so far (the heap is small and shared).
    for (const r of regexes) releaseRegex(r.re);
    throw err;
  }
  if (opts.variants !== false) addVariants(ruleset.rules, normalizer, tokens);

  const regexUnion = compileUnion(regexes.map((r) => ruleset.rules[r.index]?.pattern ?? ''));
  const compiled: CompiledRuleset = {
    version: ruleset.version,
    publishedAt: ruleset.publishedAt,
    rules: ruleset.rules,
    byId,
    indexById,
    normalizer,
    tokens,
    edges,
    terminals,
    hashes,
    regexes,
    regexUnion,
    normalizedPatterns,
  };
  releaseWith(compiled, [...regexes.map((r) => r.re), ...(regexUnion ? [regexUnion] : [])]);
  return compiled;
}

/**
 * Frees a compiled ruleset's regex patterns and their union now, instead of
 * whenever the GC collects it (V8 cannot see the fixed 16 MiB RE2 heap
 * filling, so frequent publishes would exhaust it first). Idempotent. A
 * released ruleset still matches terms, phrases and hashes, but matching a
 * regex rule on it throws RegexReleasedError (fail closed, never a read of
 * freed memory): release only once nothing searches with it any more
 * (LiveRuleset's retire hook waits a grace period after a swap).
 */
export function releaseRuleset(compiled: CompiledRuleset): void {
  releaseNow(compiled, [...compiled.regexes.map((r) => r.re), ...(compiled.regexUnion ? [compiled.regexUnion] : [])]);
}

/**
 * Compiles a ruleset as the store keeps it (which carries extra fields such
 * as note and diff). `trusted` skips per-rule validation: rules were
 * validated when they were published.
 */
export function compileStoredRuleset(
  stored: { version: number; rules: unknown[]; publishedAt: string; publishedBy: string; emojiWords?: Record<string, string> },
  opts: CompileOptions = {},
): CompiledRuleset {
  const { version, rules, publishedAt, publishedBy, emojiWords } = stored;
  return compileRuleset({ version, rules: rules as Rule[], publishedAt, publishedBy, ...(emojiWords ? { emojiWords } : {}) }, opts);
}
