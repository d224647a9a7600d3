import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { compileRuleset, releaseRuleset, type CompiledRuleset } from './compile';
import { match } from './match';
import { REGEX_LIMITS, RegexReleasedError, programSize, regexReleased } from './regex-rule';
import { rule, ruleset } from './testing/rules-fixture';

// The heaviest ruleset the limits allow: Unicode property classes (\pN ≈ 55 KiB, \p{L} ≈ 18 KiB each) up to the total budget.
const heavyPatterns = Array.from({ length: 8 }, (_, i) => String.raw`\pN\p{L}x${i}`);
const heavy = heavyPatterns.map((p, i) => rule(`h${i}`, p, { kind: 'regex' }));

/**
 * In a fresh worker thread (its own re2-wasm heap, so the abort does not
 * poison this one; it runs the built package, as a worker loads JavaScript):
 * registers a failure handler, then compiles the heavy ruleset without
 * releasing until RE2 aborts, and reports what the
 * caller saw after (the thrown error's code, a match on a ruleset compiled
 * before the abort, a handler registered late).
 */
function abortInWorker(): Promise<{ compiled: number; handlerCalls: number; handlerCode?: string; thrownCode?: string; failed: boolean; matchAfter?: string; lateHandler: boolean }> {
  const dist = path.join(path.dirname(require.resolve('@takedown/search-rules/package.json')), 'dist', 'index.js');
  if (!fs.existsSync(dist)) throw new Error(`search-rules is not built (${dist} is missing): run \`npx tsc -b\` first`);
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { compileRuleset, match, onRegexEngineFailure, regexEngineFailed, testing } = require(workerData.dist);
    const rules = workerData.patterns.map((p, i) => testing.rule('h' + i, p, { kind: 'regex' }));
    const out = { compiled: 0, handlerCalls: 0, failed: false, lateHandler: false };
    onRegexEngineFailure((err) => { out.handlerCalls++; out.handlerCode = err.code; });
    const held = [];
    try {
      for (; out.compiled < 50; out.compiled++) {
        const c = compileRuleset(testing.ruleset(rules));
        match(c, 'a text for the dfa x3', 'content');
        held.push(c);
      }
    } catch (err) {
      out.thrownCode = err && err.code;
    }
    out.failed = regexEngineFailed();
    try {
      match(held[0], 'a text for the dfa x3', 'content');
      out.matchAfter = 'matched';
    } catch (err) {
      out.matchAfter = err && err.code;
    }
    onRegexEngineFailure(() => { out.lateHandler = true; });
    parentPort.postMessage(out);
  `;
  return new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: { dist, patterns: heavyPatterns } });
    w.once('message', (m: Awaited<ReturnType<typeof abortInWorker>>) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe('regex rules: an RE2 module that aborts', () => {
  it('aborts after a few unreleased heavy compiles, then fails closed with regex_engine_failed and tells the failure handlers once (late ones at once)', async () => {
    const r = await abortInWorker();
    // 50 unreleased would need ~60 MiB of the fixed 16 MiB heap (~1.2 MiB each with the union): a handful fit.
    expect(r.compiled).toBeLessThan(50);
    expect(r).toEqual({ compiled: r.compiled, handlerCalls: 1, handlerCode: 'regex_engine_failed', thrownCode: 'regex_engine_failed', failed: true, matchAfter: 'regex_engine_failed', lateHandler: true });
  });
});

describe('regex rules: releasing a compiled ruleset', () => {
  it('uses the heaviest ruleset the limits allow', () => {
    const size = heavyPatterns.reduce((s, p) => s + programSize(p), 0);
    expect(size).toBeLessThanOrEqual(REGEX_LIMITS.maxTotalProgramSize);
    expect(size + programSize(String.raw`\pNx`)).toBeGreaterThan(REGEX_LIMITS.maxTotalProgramSize);
  });

  // A heavy compile takes ~0.5 s on a loaded box: 50 × ~1.2 MiB is already far past the ~6 the heap holds unreleased.
  it('compiles and releases it 50 times in this thread, and RE2 still works after', () => {
    for (let i = 0; i < 50; i++) {
      const c = compileRuleset(ruleset(heavy));
      match(c, 'a text for the dfa x3', 'content');
      releaseRuleset(c);
    }
    const after = compileRuleset(ruleset([rule('r', String.raw`ab+c`, { kind: 'regex' })]));
    expect(match(after, 'xx abbc', 'content')).toHaveLength(1);
    releaseRuleset(after);
  }, 600_000);

  it('is idempotent and makes regex matching on the released ruleset fail closed', () => {
    const c: CompiledRuleset = compileRuleset(
      ruleset([rule('t', 'spam'), rule('a', String.raw`ab+c`, { kind: 'regex' }), rule('b', String.raw`q[r-t]+u`, { kind: 'regex' })]),
    );
    expect(match(c, 'abbc qrsu spam', 'content')).toHaveLength(3);
    releaseRuleset(c);
    releaseRuleset(c);
    expect(c.regexes.every((r) => regexReleased(r.re))).toBe(true);
    expect(c.regexUnion && regexReleased(c.regexUnion)).toBe(true);
    expect(() => match(c, 'abbc', 'content')).toThrow(RegexReleasedError);
    // Texts no regex would see still match the word rules (empty text skips regexes).
    expect(match(c, '', 'content')).toEqual([]);
  });

  it('leaves a ruleset without regex rules fully usable', () => {
    const c = compileRuleset(ruleset([rule('t', 'spam')]));
    releaseRuleset(c);
    expect(match(c, 'buy spam', 'content')).toHaveLength(1);
  });
});
