import { benignCorpus } from '../../../test/fixtures/benign-corpus';
import { NEAR_MISSES, evasionCorpus } from '../../../test/fixtures/evasion-corpus';
import { compileRuleset } from '../compile';
import { match } from '../match';
import { shippedRuleset } from './shipped-lists';

/**
 * Recall per evasion class on the evasion corpus, and false positives on
 * the benign corpus plus its near misses (issue 17). The table is printed
 * so a change in either direction shows; README "Matching" publishes it.
 */
const compiled = compileRuleset(shippedRuleset('2026-11-01T00:00:00.000Z'));
const rulesByPattern = new Map<string, string[]>();
for (const r of compiled.rules) if (r.scope.includes('query')) rulesByPattern.set(r.pattern, [...(rulesByPattern.get(r.pattern) ?? []), r.id]);

/**
 * Recall each class reaches (measured; a drop fails the test). Below 100 %:
 * "(m)30" keeps its digits apart from the letters; diminutives and other
 * (кокаинчик) are not generated; "мет" folds to "met", an
 * English word, and "вид" (weed) is the Russian for "view", so neither is
 * an alias; three-letter Russian words get no Latin spelling (гаш → gash).
 */
const RECALL_FLOOR: Record<string, number> = { parenthesised: 0.94, 'ru-inflection': 0.97, 'en-in-cyrillic': 0.66, 'ru-translit': 0.95 };
const DEFAULT_FLOOR = 1;

describe('evasion classes on the shipped lists', () => {
  const corpus = evasionCorpus();

  it('every case spells a shipped entry', () => {
    expect(corpus.filter((c) => !rulesByPattern.has(c.pattern)).map((c) => c.pattern)).toEqual([]);
  });

  it('reach their recall floor per class, with benign false positives at or under 0.5 %', () => {
    const byClass = new Map<string, { n: number; hit: number; misses: string[] }>();
    for (const c of corpus) {
      const want = new Set(rulesByPattern.get(c.pattern) ?? []);
      const ok = match(compiled, c.text, 'query').some((h) => want.has(h.ruleId));
      const s = byClass.get(c.cls) ?? { n: 0, hit: 0, misses: [] };
      s.n++;
      if (ok) s.hit++;
      else if (s.misses.length < 3) s.misses.push(c.text);
      byClass.set(c.cls, s);
    }
    const benign = benignCorpus().filter((s) => s.topic === 'general').map((s) => s.text).concat(NEAR_MISSES);
    const fp = (scope: 'query' | 'content') => benign.filter((t) => match(compiled, t, scope).some((h) => !h.shadow));
    const fpQuery = fp('query');
    const fpContent = fp('content');
    const nearFp = NEAR_MISSES.filter((t) => match(compiled, t, 'query').length > 0);
    const lines = [...byClass].map(([cls, s]) => `${cls.padEnd(20)} ${String(s.hit).padStart(4)}/${String(s.n).padEnd(4)} ${((100 * s.hit) / s.n).toFixed(1).padStart(5)} %${s.misses.length ? `  e.g. missed: ${s.misses.join(' | ')}` : ''}`);
    console.log(
      [
        'evasion recall per class (query tier):',
        ...lines,
        `benign false positives: query ${fpQuery.length}/${benign.length} = ${((100 * fpQuery.length) / benign.length).toFixed(2)} %, content ${fpContent.length}/${benign.length}; near misses hit: ${nearFp.length}/${NEAR_MISSES.length}`,
        ...fpQuery.slice(0, 10).map((t) => `  fp: ${t}`),
      ].join('\n'),
    );
    for (const [cls, s] of byClass) expect({ cls, recall: s.hit / s.n >= (RECALL_FLOOR[cls] ?? DEFAULT_FLOOR) }).toEqual({ cls, recall: true });
    expect(fpQuery.length / benign.length).toBeLessThanOrEqual(0.005);
    expect(fpContent.length / benign.length).toBeLessThanOrEqual(0.005);
  });
});
