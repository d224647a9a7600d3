import fc from 'fast-check';
import { compileRuleset } from '../compile';
import { match } from '../match';
import { rule, ruleset } from '../testing/rules-fixture';
import { ARABIC_ENCLITICS, ARABIC_PROCLITICS, arabicCliticForms } from './arabic-affixes';

const compiled = compileRuleset(ruleset([rule('captagon', 'كبتاجون'), rule('shabu', 'شبو'), rule('sale', 'للبيع حشيش')]));
const ids = (text: string) => match(compiled, text, 'query').map((h) => h.ruleId);

describe('Arabic clitics (matched at the term side)', () => {
  it.each(ARABIC_PROCLITICS.map((p) => [p]))('proclitic %s before a term matches', (p) => {
    expect(ids(`عندي ${p}كبتاجون اليوم`)).toEqual(['captagon']);
    expect(ids(`للبيع ${p}حشيش`)).toEqual(['sale']);
  });

  it.each(ARABIC_ENCLITICS.map((s) => [s]))('enclitic %s after a longer term matches', (s) => {
    expect(ids(`كبتاجون${s}`)).toEqual(['captagon']);
  });

  it('combines with letter variants, tatweel and harakat', () => {
    expect(ids('وَالكَبْتــاجُون')).toEqual(['captagon']);
    expect(ids('بالكبتاجونة')).toEqual([]); // article and suffix together are not generated
  });

  it('gives three-letter words proclitics only (شبوة is a governorate, not shabu)', () => {
    expect(ids('والشبو')).toEqual(['shabu']);
    expect(ids('شبوة محافظة في اليمن')).toEqual([]);
    expect(arabicCliticForms('شبو').every((f) => f.endsWith('شبو'))).toBe(true);
  });

  it('never strips letters from the text: a word that starts like a proclitic keeps them', () => {
    const c = compileRuleset(ruleset([rule('beast-part', 'حش')]));
    expect(match(c, 'وحش في الغابة', 'query')).toEqual([]);
    expect(arabicCliticForms('حش')).toEqual([]);
  });

  it('property: any proclitic on any pattern word matches; other prefixes do not', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ARABIC_PROCLITICS), fc.constantFrom('ت', 'م', 'ن', 'س', 'ي'), (p, other) => {
        expect(ids(p + 'كبتاجون')).toEqual(['captagon']);
        expect(ids(other + 'كبتاجون')).toEqual([]);
      }),
    );
  });
});
