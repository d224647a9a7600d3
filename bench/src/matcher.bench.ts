// npm run bench -- matcher
// 50k terms over >= 10 MB of mixed-language text: MB/s of our matcher
// (normalisation included, as `match` always normalises), of normalisation
// alone, of a naive per-term `includes` loop and of modern-ahocorasick on the
// same terms and text, all in this run. Ends with one JSON line.
import { performance } from 'node:perf_hooks';
import { generateDemoCorpus } from '@takedown/shared';
import { compileRuleset, match, Normalizer, testing, type Rule } from '@takedown/search-rules';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AhoCorasick = require('modern-ahocorasick') as new (patterns: string[]) => { search(t: string): unknown[] };

const TERMS = 50_000;
const TARGET_MB = 10;

const word = testing.syntheticWord;

const realTerms = ['cocaine', 'meth', 'fentanyl', 'mdma', 'heroin', 'xanax', 'кокаин', 'мефедрон', 'закладки', 'كبتاجون', 'حشيش', 'ترامادول'];
const terms = [...realTerms, ...Array.from({ length: TERMS - realTerms.length }, (_, i) => word(i))];
const rules: Rule[] = terms.map((pattern, i) => ({
  id: `r${i}`,
  kind: 'term',
  pattern,
  category: 'drugs',
  scope: ['query', 'content'],
  action: 'flag_for_review',
  createdBy: 'bench',
  createdAt: '2026-11-01T00:00:00.000Z',
}));

// ~1 KB posts built from the demo corpus, with some synthetic terms sprinkled in.
const posts = generateDemoCorpus({ count: 4000, seed: 42 });
const docs: string[] = [];
let bytes = 0;
for (let i = 0; bytes < TARGET_MB * 1024 * 1024; i++) {
  let doc = '';
  while (doc.length < 1000) doc += `${posts[(i * 7 + doc.length) % posts.length]?.text ?? ''} `;
  if (i % 10 === 0) doc += ` ${word(i % (TERMS - 20))}`;
  docs.push(doc);
  bytes += Buffer.byteLength(doc);
}
const mb = bytes / 1024 / 1024;

function time(fn: () => number): { seconds: number; found: number } {
  const t0 = performance.now();
  const found = fn();
  return { seconds: (performance.now() - t0) / 1000, found };
}

const tc = performance.now();
const compiled = compileRuleset({ version: 1, rules, publishedAt: '2026-11-01T00:00:00.000Z', publishedBy: 'bench' });
const compileMs = performance.now() - tc;
const normalizer = new Normalizer();
const ac = new AhoCorasick(terms);

// Warm up each path once on a slice.
for (const d of docs.slice(0, 200)) {
  match(compiled, d, 'content');
  normalizer.normalize(d);
  ac.search(d);
}

const ours = time(() => docs.reduce((n, d) => n + match(compiled, d, 'content').length, 0));
const norm = time(() => docs.reduce((n, d) => n + normalizer.normalize(d).length, 0));
const aho = time(() => docs.reduce((n, d) => n + ac.search(d).length, 0));
// The naive loop is slow: measure it on a slice and report MB/s.
const naiveDocs = docs.slice(0, 40);
const naiveMb = naiveDocs.reduce((n, d) => n + Buffer.byteLength(d), 0) / 1024 / 1024;
const naive = time(() => {
  let found = 0;
  for (const d of naiveDocs) for (const t of terms) if (d.includes(t)) found++;
  return found;
});

const result = {
  bench: 'matcher',
  terms: TERMS,
  textMB: Number(mb.toFixed(1)),
  compileMs: Math.round(compileMs),
  mbPerSec: {
    oursWithNormalisation: Number((mb / ours.seconds).toFixed(1)),
    normalisationOnly: Number((mb / norm.seconds).toFixed(1)),
    modernAhocorasick: Number((mb / aho.seconds).toFixed(1)),
    naiveIncludes: Number((naiveMb / naive.seconds).toFixed(3)),
  },
  ratios: {
    oursVsNaive: Number((mb / ours.seconds / (naiveMb / naive.seconds)).toFixed(1)),
    oursVsModernAhocorasick: Number((aho.seconds / ours.seconds).toFixed(2)),
  },
  hits: { ours: ours.found, modernAhocorasickSubstrings: aho.found },
  targets: { oursVsNaive: 25, oursVsModernAhocorasick: 1, oursWithNormalisationMBps: 40 },
};
console.log(`compile ${result.compileMs} ms for ${TERMS} terms; text ${result.textMB} MB`);
console.log(`ours (with normalisation) ${result.mbPerSec.oursWithNormalisation} MB/s, normalisation alone ${result.mbPerSec.normalisationOnly} MB/s`);
console.log(`modern-ahocorasick ${result.mbPerSec.modernAhocorasick} MB/s, naive includes ${result.mbPerSec.naiveIncludes} MB/s`);
console.log(JSON.stringify(result));
