import fc from 'fast-check';
import { compileRuleset } from '../compile';
import { match } from '../match';
import { rule, ruleset } from '../testing/rules-fixture';
import { cyrillicToLatin, latinToCyrillic } from './transliteration';

const compiled = compileRuleset(ruleset([rule('ru', 'кокаин'), rule('ru-buy', 'купить мефедрон'), rule('en', 'mdma'), rule('ket', 'ketamine'), rule('meth', 'meth')]));
const ids = (text: string) => match(compiled, text, 'query').map((h) => h.ruleId).sort();

describe('transliteration both ways', () => {
  it('Russian words in Latin letters match', () => {
    expect(ids('kokain')).toEqual(['ru']);
    expect(ids('kupit mefedron')).toEqual(['ru-buy']);
    expect(ids("kupit' mefedrona")).toEqual(['ru-buy']);
    expect(ids('kupi mefedrona')).toEqual(['ru-buy']);
  });

  it('English words in Cyrillic letters match', () => {
    expect(ids('мдма')).toEqual(['en']);
    expect(ids('кетамин')).toEqual(['ket']);
  });

  it('a Cyrillic spelling that folds to a short English word is not kept ("мет" reads "met", like "meet")', () => {
    expect(ids('we meet at noon')).toEqual([]);
  });

  it('short Latin spellings are English words as often as not (гаш → gash), not aliases', () => {
    const c = compileRuleset(ruleset([rule('gash', 'гаш')]));
    expect(match(c, 'a deep gash', 'query')).toEqual([]);
    expect(match(c, 'gasha', 'query').map((h) => h.ruleId)).toEqual(['gash']);
  });

  it('short Cyrillic spellings with a vowel are everyday Russian, not aliases (weed → вид, "view")', () => {
    const c = compileRuleset(ruleset([rule('weed', 'weed'), rule('lsd', 'lsd')]));
    expect(match(c, 'красивый вид из окна', 'query')).toEqual([]);
    expect(match(c, 'лсд', 'query').map((h) => h.ruleId)).toEqual(['lsd']);
  });

  it('spells each letter', () => {
    expect(cyrillicToLatin('кокаин')).toContain('kokain');
    expect(cyrillicToLatin('гашиш')).toEqual(expect.arrayContaining(['gashish']));
    expect(latinToCyrillic('xanax')).toContain('ксанакс');
    expect(latinToCyrillic('кокаин')).toEqual([]);
    expect(cyrillicToLatin('cocaine')).toEqual([]);
  });

  it('property: spellings are bounded and use the target script only', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[а-я]{1,12}$/), fc.stringMatching(/^[a-z]{1,12}$/), (ru, en) => {
        const lat = cyrillicToLatin(ru);
        const cyr = latinToCyrillic(en);
        expect(lat.length).toBeLessThanOrEqual(4);
        expect(cyr.length).toBeLessThanOrEqual(4);
        for (const s of lat) expect(s).toMatch(/^[a-z']*$/);
        for (const s of cyr) expect(s).toMatch(/^[а-я]*$/);
      }),
    );
  });
});
