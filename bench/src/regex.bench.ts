// npm run bench -- regex
// Regex rules on RE2 (re2-wasm), all figures from this run:
//  1. catastrophic patterns on n and 2n characters: RE2's time ratio (linear: ~2);
//  2. the same patterns on JS RegExp (backtracking) at small n and n+2: its ratio (exponential: ~4);
//  3. a safe pattern over short posts: RE2 against JS RegExp, MB/s;
//  4. the matcher with 50 regex rules (the per-ruleset limit) plus terms, against terms alone, MB/s;
//  5. a heap soak: the heaviest ruleset the limits allow over varied Unicode text (re2-wasm's 16 MiB heap must not abort).
// Ends with one JSON line.
import { performance } from 'node:perf_hooks';
import { generateDemoCorpus } from '@takedown/shared';
import { compileRegex, compileRuleset, firstMatch, match, releaseRegex, REGEX_LIMITS, testing, type Rule } from '@takedown/search-rules';

const CATASTROPHIC = ['(a+)+$', '(a|aa)+$', '(x+x+)+y'];
const N = 45_000; // 2n stays under REGEX_LIMITS.maxInput

function ms(fn: () => void, repeat = 1): number {
  fn(); // warm: compile caches (RE2's DFA, V8's regexp code)
  const t0 = performance.now();
  for (let i = 0; i < repeat; i++) fn();
  return (performance.now() - t0) / repeat;
}

// 1. RE2, n vs 2n.
const re2Scaling = CATASTROPHIC.map((p) => {
  const re = compileRegex(p);
  const at = (n: number) => ms(() => void firstMatch(re, `${"a".repeat(n)}!`), 20);
  const tn = at(N);
  const t2n = at(2 * N);
  releaseRegex(re);
  return { pattern: p, msN: Number(tn.toFixed(2)), ms2N: Number(t2n.toFixed(2)), ratio: Number((t2n / tn).toFixed(2)) };
});

// 2. JS RegExp, small n vs n+2 (kept small: every extra character doubles its time).
const JS_N = 20;
const jsScaling = CATASTROPHIC.slice(0, 2).map((p) => {
  const re = new RegExp(p);
  const at = (n: number) => ms(() => void re.test(`${'a'.repeat(n)}!`));
  const tn = at(JS_N);
  const tn2 = at(JS_N + 2);
  return { pattern: p, n: JS_N, msN: Number(tn.toFixed(2)), msNplus2: Number(tn2.toFixed(2)), ratio: Number((tn2 / tn).toFixed(2)) };
});

// 3. A safe pattern over ~1 KB posts: RE2 against JS RegExp.
const posts = generateDemoCorpus({ count: 2000, seed: 7 }).map((p, i) => `${p.text} call ${100 + (i % 900)} 555 ${1000 + i}`);
const postMb = posts.reduce((n, d) => n + Buffer.byteLength(d), 0) / 1024 / 1024;
const SAFE = String.raw`\b\d{3} \d{3} \d{4}\b`;
const safeRe2 = compileRegex(SAFE);
const safeJs = new RegExp(SAFE, 'iu');
const re2Ms = ms(() => posts.forEach((d) => firstMatch(safeRe2, d)), 3);
const jsMs = ms(() => posts.forEach((d) => safeJs.exec(d)), 3);
releaseRegex(safeRe2);

// 4. The matcher: 1,000 terms alone, then with 50 regex rules.
const rule = (id: string, pattern: string, extra: Partial<Rule> = {}) => testing.rule(id, pattern, { scope: ['content'], action: 'flag_for_review', ...extra });
const terms = Array.from({ length: 1000 }, (_, i) => rule(`t${i}`, testing.syntheticWord(i)));
const regexRules = Array.from({ length: REGEX_LIMITS.maxRulesPerRuleset }, (_, i) => rule(`x${i}`, String.raw`\b(vendor|shop)${i}[a-z]{0,8}\b|\d{3} \d{3} ${1000 + i}`, { kind: 'regex' }));
const termsOnly = compileRuleset(testing.ruleset(terms));
const withRegex = compileRuleset(testing.ruleset([...terms, ...regexRules]));
const termsMs = ms(() => posts.forEach((d) => match(termsOnly, d, 'content')), 2);
const regexMs = ms(() => posts.forEach((d) => match(withRegex, d, 'content')), 2);

// 5. Heap soak: the limits' heaviest ruleset (Unicode property classes up to the total budget), varied text.
const heavy = Array.from({ length: 8 }, (_, i) => rule(`h${i}`, String.raw`\pN\p{L}x${i}`, { kind: 'regex' }));
const soakSet = compileRuleset(testing.ruleset(heavy));
let seed = 1;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const alphabet = [...'abcxyz0123456789 ', ...'абвгдеёжз', ...'ابتثجح', ...'αβγδ', ...'一二三四', ...'١٢٣٤'];
let soakBytes = 0;
let soakError: string | undefined;
const ts = performance.now();
try {
  for (let d = 0; d < 3000; d++) {
    let s = '';
    for (let k = 0; k < 1000; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    match(soakSet, s, 'content');
    soakBytes += Buffer.byteLength(s);
  }
} catch (err) {
  soakError = err instanceof Error ? err.message.slice(0, 120) : String(err);
}
const soakMs = performance.now() - ts;

const result = {
  bench: 'regex',
  re2CatastrophicNvs2N: { n: N, results: re2Scaling },
  jsRegExpCatastrophicNvsNplus2: jsScaling,
  safePattern: { postsMB: Number(postMb.toFixed(2)), re2MBps: Number((postMb / (re2Ms / 1000)).toFixed(1)), jsRegExpMBps: Number((postMb / (jsMs / 1000)).toFixed(1)), re2VsJs: Number((jsMs / re2Ms).toFixed(2)) },
  matcher: { termsOnlyMBps: Number((postMb / (termsMs / 1000)).toFixed(1)), with50RegexMBps: Number((postMb / (regexMs / 1000)).toFixed(1)), slowdown: Number((regexMs / termsMs).toFixed(2)) },
  heapSoak: { MB: Number((soakBytes / 1024 / 1024).toFixed(1)), MBps: Number((soakBytes / 1024 / 1024 / (soakMs / 1000)).toFixed(1)), aborted: soakError !== undefined, ...(soakError ? { error: soakError } : {}) },
  expect: { re2Ratio: '~2 (linear)', jsRatio: '~4 (exponential)' },
};
for (const r of re2Scaling) console.log(`RE2 ${r.pattern}: ${r.msN} ms at n=${N}, ${r.ms2N} ms at 2n (x${r.ratio})`);
for (const r of jsScaling) console.log(`JS RegExp ${r.pattern}: ${r.msN} ms at n=${JS_N}, ${r.msNplus2} ms at n+2 (x${r.ratio})`);
console.log(`safe pattern: RE2 ${result.safePattern.re2MBps} MB/s, JS RegExp ${result.safePattern.jsRegExpMBps} MB/s`);
console.log(`matcher: terms ${result.matcher.termsOnlyMBps} MB/s, +50 regex ${result.matcher.with50RegexMBps} MB/s`);
console.log(`heap soak: ${result.heapSoak.MB} MB at ${result.heapSoak.MBps} MB/s, aborted: ${result.heapSoak.aborted}`);
console.log(JSON.stringify(result));
