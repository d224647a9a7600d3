import type { Category } from '@takedown/shared';
import { TOKEN_ID_SPACE, type CompiledRuleset } from './compile';
import type { ScannedText } from './normalizer';
import { firstMatch } from './regex-rule';
import type { Rule, RuleAction, RuleScope } from './rule';

export interface Hit {
  ruleId: string;
  category: Category;
  action: RuleAction;
  /** A shadow rule's hit: count and log it, never act on it. */
  shadow: boolean;
  /** Span in the original text (UTF-16 offsets), for highlighting. */
  start: number;
  end: number;
  /** pdq hits: the Hamming distance (of 256 bits) between the media's hash and the list's. */
  distance?: number;
}

export interface MatchContext {
  /** Language of the text (e.g. "ru"); rules with `locales` only match their languages. */
  locale?: string;
  /** Caller's country; rules with `countries` only act there. */
  country?: string;
  /**
   * Match country-scoped rules whatever the country (content scans: the
   * post is restricted in the rule's countries, see contentState).
   */
  anyCountry?: boolean;
  /** Evaluation time for `expiresAt`; defaults to now. */
  now?: Date | number;
}

/** Whether a rule is live for this scope and context (enabled, not expired, locale and country apply). */
export function ruleApplies(rule: Rule, scope: RuleScope, ctx: MatchContext, nowMs: number): boolean {
  if (rule.enabled === false) return false;
  if (!rule.scope.includes(scope)) return false;
  if (rule.expiresAt !== undefined && Date.parse(rule.expiresAt) <= nowMs) return false;
  if (rule.locales && ctx.locale && !rule.locales.includes(baseLanguage(ctx.locale))) return false;
  if (rule.countries && !ctx.anyCountry && (!ctx.country || !rule.countries.includes(ctx.country.toUpperCase()))) return false;
  return true;
}

/** The evaluation time for expiry checks, in epoch milliseconds (now when absent). */
export function toMillis(now: Date | number | undefined): number {
  if (now === undefined) return Date.now();
  return typeof now === 'number' ? now : now.getTime();
}

function baseLanguage(locale: string): string {
  return locale.toLowerCase().split(/[-_]/)[0] ?? locale;
}

/**
 * Finds every live rule that matches `text` in `scope`. Terms and phrases
 * match whole normalised tokens only; a regex rule gives one hit, its first
 * match in the normalised text. Hits come in text order.
 */
export function match(compiled: CompiledRuleset, text: string, scope: RuleScope, ctx: MatchContext = {}): Hit[] {
  if ((compiled.terminals.size === 0 && compiled.regexes.length === 0) || text.length === 0) return [];
  return matchScanned(compiled, compiled.normalizer.scan(text), scope, ctx);
}

/** `match` over text the caller has already normalised with `compiled.normalizer.scan` (scanned once, used twice). */
export function matchScanned(compiled: CompiledRuleset, scanned: ScannedText, scope: RuleScope, ctx: MatchContext = {}): Hit[] {
  const hits: Hit[] = [];
  if (compiled.terminals.size === 0 && compiled.regexes.length === 0) return hits;
  const nowMs = toMillis(ctx.now);
  const { codes, starts, ends, length } = scanned;
  const { tokens, edges, terminals, rules } = compiled;

  // Token boundaries of the normalised text (single spaces between tokens).
  let tokStart = 0;
  while (tokStart < length) {
    let tokEnd = tokStart;
    while (tokEnd < length && codes[tokEnd] !== 32) tokEnd++;
    // Walk the trie from this token as long as following tokens continue a pattern.
    let node = 0;
    let s = tokStart;
    let e = tokEnd;
    for (;;) {
      const id = tokens.lookup(codes, s, e);
      if (id < 0) break;
      const next = edges.get(node * TOKEN_ID_SPACE + id);
      if (next === undefined) break;
      node = next;
      const ending = terminals.get(node);
      if (ending) {
        for (const index of ending) {
          const rule = rules[index] as Rule;
          if (!ruleApplies(rule, scope, ctx, nowMs)) continue;
          hits.push({
            ruleId: rule.id,
            category: rule.category,
            action: rule.action,
            shadow: rule.shadow === true,
            start: starts[tokStart] as number,
            end: ends[e - 1] as number,
          });
        }
      }
      if (e >= length) break;
      s = e + 1;
      e = s;
      while (e < length && codes[e] !== 32) e++;
    }
    tokStart = tokEnd + 1;
  }
  if (compiled.regexes.length === 0) return hits;
  const regexHits = matchRegexes(compiled, scanned, scope, ctx, nowMs);
  if (regexHits.length === 0) return hits;
  // Keep text order: the trie's hits are in order, regex hits come per rule.
  return hits.concat(regexHits).sort((a, b) => a.start - b.start || a.end - b.end);
}

const utf16 = new TextDecoder('utf-16le');

/** Regex rules over the normalised text (its head, see REGEX_LIMITS.maxInput): one hit per live rule, spans mapped back to the original. */
function matchRegexes(compiled: CompiledRuleset, scanned: ScannedText, scope: RuleScope, ctx: MatchContext, nowMs: number): Hit[] {
  const hits: Hit[] = [];
  const text = utf16.decode(scanned.codes.subarray(0, scanned.length));
  if (compiled.regexUnion && !firstMatch(compiled.regexUnion, text)) return hits;
  for (const { index, re } of compiled.regexes) {
    const rule = compiled.rules[index] as Rule;
    if (!ruleApplies(rule, scope, ctx, nowMs)) continue;
    const span = firstMatch(re, text);
    if (!span) continue;
    const [s, e] = span;
    hits.push({
      ruleId: rule.id,
      category: rule.category,
      action: rule.action,
      shadow: rule.shadow === true,
      start: scanned.starts[s] ?? 0,
      end: e > s ? (scanned.ends[e - 1] ?? 0) : (scanned.starts[s] ?? 0),
    });
  }
  return hits;
}

/** Rules whose sha256 equals one of `hashes` (media hash lists). */
export function matchHashes(compiled: CompiledRuleset, hashes: readonly string[], ctx: MatchContext = {}): Hit[] {
  const nowMs = toMillis(ctx.now);
  const hits: Hit[] = [];
  for (const h of hashes) {
    for (const index of compiled.hashes.get(h.toLowerCase()) ?? []) {
      const rule = compiled.rules[index] as Rule;
      if (!ruleApplies(rule, 'content', ctx, nowMs)) continue;
      hits.push({ ruleId: rule.id, category: rule.category, action: rule.action, shadow: rule.shadow === true, start: 0, end: 0 });
    }
  }
  return hits;
}
