import type { CompiledRuleset } from '../compile';
import { ruleApplies, toMillis, type Hit, type MatchContext } from '../match';
import { PDQ_DEFAULT_THRESHOLD, type Rule } from '../rule';
import { PdqIndex } from './pdq-index';
import { isPdqHex, pdqFromHex, type PdqHash } from './pdq-hex';

interface CompiledPdq {
  index: PdqIndex;
  /** Entry → rule index in `compiled.rules`. */
  ruleOf: Int32Array;
  /** Entry → its list's threshold. */
  thresholdOf: Uint8Array;
  maxThreshold: number;
}

/**
 * Built on first use and kept with the compiled ruleset: the search service
 * compiles rulesets too and never matches media, so it never pays for it.
 */
const cache = new WeakMap<CompiledRuleset, CompiledPdq | null>();

function compiledPdq(compiled: CompiledRuleset): CompiledPdq | null {
  const hit = cache.get(compiled);
  if (hit !== undefined) return hit;
  const hashes: PdqHash[] = [];
  const rules: number[] = [];
  const thresholds: number[] = [];
  compiled.rules.forEach((rule, i) => {
    if (rule.kind !== 'pdq' || !isPdqHex(rule.pattern)) return;
    hashes.push(pdqFromHex(rule.pattern));
    rules.push(i);
    thresholds.push(rule.hashList?.threshold ?? PDQ_DEFAULT_THRESHOLD);
  });
  const built = hashes.length === 0 ? null : { index: new PdqIndex(hashes), ruleOf: Int32Array.from(rules), thresholdOf: Uint8Array.from(thresholds), maxThreshold: Math.max(...thresholds) };
  cache.set(compiled, built);
  return built;
}

/** Whether the ruleset has any pdq rule (cheap after the first call). */
export function hasPdqRules(compiled: CompiledRuleset): boolean {
  return compiledPdq(compiled) !== null;
}

/**
 * Live pdq rules within their list's threshold of any of `hashes` (64 hex
 * digits each; anything else is skipped). One hit per rule, at its
 * smallest distance.
 */
export function matchPdq(compiled: CompiledRuleset, hashes: readonly string[], ctx: MatchContext = {}): Hit[] {
  const pdq = compiledPdq(compiled);
  if (!pdq) return [];
  const nowMs = toMillis(ctx.now);
  const best = new Map<number, number>();
  for (const hex of hashes) {
    if (!isPdqHex(hex)) continue;
    for (const n of pdq.index.query(pdqFromHex(hex), pdq.maxThreshold)) {
      if (n.distance > (pdq.thresholdOf[n.index] as number)) continue;
      const ruleIndex = pdq.ruleOf[n.index] as number;
      const before = best.get(ruleIndex);
      if (before === undefined || n.distance < before) best.set(ruleIndex, n.distance);
    }
  }
  const hits: Hit[] = [];
  for (const [ruleIndex, distance] of [...best].sort((a, b) => a[0] - b[0])) {
    const rule = compiled.rules[ruleIndex] as Rule;
    if (!ruleApplies(rule, 'content', ctx, nowMs)) continue;
    hits.push({ ruleId: rule.id, category: rule.category, action: rule.action, shadow: rule.shadow === true, start: 0, end: 0, distance });
  }
  return hits;
}
