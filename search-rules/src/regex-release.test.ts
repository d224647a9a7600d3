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
 * Compiles the heavy ruleset `times` times in a fresh worker thread (its own
 * re2-wasm heap, so an abort there does not poison this one), keeping every
 * compiled ruleset alive unless `release`: how many compiled before RE2 failed.
 * Runs the built package (a worker loads JavaScript, not the test's TypeScript).
 */
function compileInWorker(times: number, release: boolean): Promise<{ compiled: number; error?: string }> {
  const dist = path.join(path.dirname(require.resolve('@takedown/search-rules/package.json')), 'dist', 'index.js');
  if (!fs.existsSync(dist)) throw new Error(`search-rules is not built (${dist} is missing): run \`npx tsc -b\` first`);
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { compileRuleset, releaseRuleset, match, testing } = require(workerData.dist);
    const rules = workerData.patterns.map((p, i) => testing.rule('h' + i, p, { kind: 'regex' }));
    const held = [];
    let compiled = 0;
    try {
      for (; compiled < workerData.times; compiled++) {
        const c = compileRuleset(testing.ruleset(rules));
        match(c, 'a text for the dfa x3', 'content');
        if (workerData.release) releaseRuleset(c);
        else held.push(c);
      }
      parentPort.postMessage({ compiled });
    } catch (err) {
      parentPort.postMessage({ compiled, error: String(err && err.message || err) });
    }
  `;
  return new Promise((resolve, reject) => {
    const w = new Worker(source, { eval: true, workerData: { dist, patterns: heavyPatterns, times, release } });
    w.once('message', (m: { compiled: number; error?: string }) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

describe('regex rules: releasing a compiled ruleset', () => {
  it('uses the heaviest ruleset the limits allow', () => {
    const size = heavyPatterns.reduce((s, p) => s + programSize(p), 0);
    expect(size).toBeLessThanOrEqual(REGEX_LIMITS.maxTotalProgramSize);
    expect(size + programSize(String.raw`\pNx`)).toBeGreaterThan(REGEX_LIMITS.maxTotalProgramSize);
  });

  it('fills the 16 MiB RE2 heap after a few unreleased compiles (measured in a worker thread)', async () => {
    const r = await compileInWorker(50, false);
    // 50 unreleased would need ~60 MiB; without release the 50 loop below could not run.
    // About 1.2 MiB each with the union: a handful fit, then the module aborts.
    expect(r.compiled).toBeLessThan(50);
    expect(r.error).toMatch(/Cannot enlarge memory|abort/);
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
