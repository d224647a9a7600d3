import fc from 'fast-check';
import { Normalizer } from '../normalizer';
import { Nfa, literalCount, parseRegexp, parseWildcard } from './term-pattern';

const norm = new Normalizer();
const budget = () => ({ left: 1e9 });

/** A small regular expression over a, b, c written both in Lucene syntax and as a JS RegExp. */
const { re } = fc.letrec<{ re: [string, string] }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<[string, string]>(['a', 'a'], ['b', 'b'], ['c', 'c'], ['.', '.'], ['[ab]', '[ab]']),
    fc.tuple(tie('re'), tie('re')).map(([x, y]): [string, string] => [`${x[0]}${y[0]}`, `${x[1]}${y[1]}`]),
    fc.tuple(tie('re'), tie('re')).map(([x, y]): [string, string] => [`(${x[0]}|${y[0]})`, `(?:${x[1]}|${y[1]})`]),
    tie('re').map((x): [string, string] => [`(${x[0]})*`, `(?:${x[1]})*`]),
    tie('re').map((x): [string, string] => [`(${x[0]})+`, `(?:${x[1]})+`]),
    tie('re').map((x): [string, string] => [`(${x[0]})?`, `(?:${x[1]})?`]),
  ),
}));
/** Words as the lexicon holds them: no letter twice in a row (the normaliser collapses repeats). */
const word = fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 8 }).map((cs) => cs.filter((c, i) => c !== cs[i - 1]).join(''));

describe('term patterns', () => {
  it('read at least everything the regular expression matches (a superset, never less)', () => {
    fc.assert(
      fc.property(re, fc.array(word, { minLength: 1, maxLength: 20 }), ([lucene, js], words) => {
        const nfa = new Nfa(parseRegexp(lucene, norm));
        const exact = new RegExp(`^(?:${js})$`);
        for (const w of words) if (exact.test(w)) expect(nfa.test(w, budget())).toBe(true);
      }),
      { numRuns: 500, seed: 12 },
    );
  });

  it('read wildcards as Lucene does, with ? also standing for a collapsed repeat', () => {
    const t = (p: string, w: string) => new Nfa(parseWildcard(p, norm)).test(w, budget());
    expect(t('coc?ine', 'cocaine')).toBe(true);
    expect(t('cocai?ne', 'cocaine')).toBe(true);
    expect(t('co*ne', 'cocaine')).toBe(true);
    expect(t('c0c*', 'cocaine')).toBe(true);
    expect(t('COCA*', 'cocaine')).toBe(true);
    expect(t('cocaiiine', 'cocaine')).toBe(true);
    expect(t('co\\*ne', 'cocaine')).toBe(false);
    expect(t('cak*', 'cocaine')).toBe(false);
    expect(t('buy*meth', 'buy meth')).toBe(true);
  });

  it('reads a wide character range as any character without folding each member', () => {
    const node = parseRegexp('[一-龥]', norm);
    expect(node).toEqual({ k: 'set', any: true, codes: [] });
    expect(literalCount(parseRegexp('[c-k][o-w][c ]', norm))).toBe(3);
    expect(literalCount(parseRegexp('[^0-9].', norm))).toBe(0);
    expect(literalCount(parseRegexp('[^a-bd-z]', norm))).toBe(1);
  });

  it('charges folding new characters to the budget and stops when it runs out', () => {
    const budget = { left: 100 };
    expect(() => parseWildcard('ꀀꀁꀂꀃꀄꀅꀆꀇ', norm, budget)).toThrow(/too costly/);
  });

  it('reads operators it does not model as anything, and refuses what it cannot parse', () => {
    expect(new Nfa(parseRegexp('co~(x)', norm)).test('cocaine', budget())).toBe(true);
    expect(new Nfa(parseRegexp('coca<1-9>', norm)).test('cocaine', budget())).toBe(true);
    expect(new Nfa(parseRegexp('@ine', norm)).test('cocaine', budget())).toBe(true);
    expect(() => parseRegexp('co(ca', norm)).toThrow();
    expect(() => parseRegexp('co[ca', norm)).toThrow();
    expect(() => parseRegexp('('.repeat(100) + 'a' + ')'.repeat(100), norm)).toThrow(/deeper/);
  });
});
