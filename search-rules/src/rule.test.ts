import { ValidationError } from '@takedown/shared';
import { validateRuleDefinition } from './compile';
import { rule } from './testing/rules-fixture';

describe('rule countries', () => {
  it('accepts officially assigned ISO 3166-1 codes', () => {
    expect(validateRuleDefinition(rule('de-at', 'speed', { countries: ['DE', 'AT'] })).countries).toEqual(['DE', 'AT']);
  });

  it.each([['ZZ'], ['XK'], ['de'], ['EU']])('refuses %p, naming the item', (c) => {
    let err: unknown;
    try {
      validateRuleDefinition(rule('bad', 'speed', { countries: ['DE', c] }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('/countries/1');
  });
});
