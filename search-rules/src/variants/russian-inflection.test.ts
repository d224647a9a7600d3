import fc from 'fast-check';
import { compileRuleset } from '../compile';
import { match } from '../match';
import { rule, ruleset } from '../testing/rules-fixture';
import { russianForms } from './russian-inflection';

const compiled = compileRuleset(ruleset([rule('buy', 'купить кокаин'), rule('sell', 'продам мефедрон'), rule('drops', 'закладки меф'), rule('quality', 'качественный гашиш')]));
const ids = (text: string) => match(compiled, text, 'query').map((h) => h.ruleId);

describe('Russian inflection (stem + ending sets for pattern words)', () => {
  it.each([
    ['куплю кокаина', 'buy'],
    ['купи кокаину', 'buy'],
    ['купим кокаином', 'buy'],
    ['КУПИТЕ КОКАИН', 'buy'],
    ['продаю мефедрона', 'sell'],
    ['продаём мефедрон', 'sell'],
    ['продать мефедрону', 'sell'],
    ['закладка мефа', 'drops'],
    ['закладок мефом', 'drops'],
    ['качественная гашиша', 'quality'],
    ['качественного гашишем', 'quality'],
    ['покупаю кокаин', 'buy'],
    ['покупка кокаина', 'buy'],
  ])('%s → %s', (text, id) => {
    expect(ids(text)).toEqual([id]);
  });

  it('generates by word class', () => {
    expect(russianForms('кокаин')).toEqual(expect.arrayContaining(['кокаина', 'кокаину', 'кокаином', 'кокаине']));
    expect(russianForms('гашиш')).toEqual(expect.arrayContaining(['гашишем', 'гашиша']));
    expect(russianForms('купить')).toEqual(expect.arrayContaining(['куплю', 'купи', 'купим', 'купил']));
    expect(russianForms('шишки')).toEqual(expect.arrayContaining(['шишек', 'шишками']));
    expect(russianForms('экстази')).toEqual([]); // indeclinable
    expect(russianForms('цп')).toEqual([]); // abbreviation
  });

  it('leaves words that are not forms of a listed word alone (героиня is not героин)', () => {
    const c = compileRuleset(ruleset([rule('heroin', 'героин')]));
    expect(match(c, 'героиня романа и героини фильма', 'query')).toEqual([]);
    expect(match(c, 'много героина', 'query').map((h) => h.ruleId)).toEqual(['heroin']);
  });

  it('property: every generated form of a pattern word matches as that word', () => {
    fc.assert(
      fc.property(fc.constantFrom(...russianForms('купить')), fc.constantFrom(...russianForms('кокаин')), (verb, noun) => {
        expect(ids(`${verb} ${noun}`)).toEqual(['buy']);
      }),
    );
  });
});
