import { compileRuleset } from './compile';
import { match, matchHashes } from './match';
import { rule, ruleset, syntheticWord } from './testing/rules-fixture';

const compiled = compileRuleset(
  ruleset([
    rule('cocaine', 'cocaine'),
    rule('buy-meth', 'buy meth'),
    rule('ru-kokain', 'кокаин'),
    rule('ar-captagon', 'كبتاجون', { locales: ['ar'] }),
    rule('ketamine-shadow', 'ketamine', { shadow: true }),
    rule('content-only', 'fentanyl', { scope: ['content'], action: 'exclude' }),
    rule('off', 'heroin', { enabled: false }),
    rule('expired', 'oxy', { expiresAt: '2026-11-10T00:00:00.000Z' }),
    rule('de-only', 'speed', { countries: ['DE'] }),
    rule('hash', 'a'.repeat(64), { kind: 'sha256', scope: ['content'], action: 'auto_remove', category: 'csam' }),
  ]),
);
const now = new Date('2026-11-20T00:00:00Z');
const ids = (text: string, scope: 'query' | 'content' = 'query', ctx = {}) =>
  match(compiled, text, scope, { now, ...ctx }).map((h) => h.ruleId);

describe('match', () => {
  it('finds terms and phrases through evasions, with offsets in the original', () => {
    const text = 'Best C0CA1NE and we buy  m3th!';
    const hits = match(compiled, text, 'query', { now });
    expect(hits.map((h) => h.ruleId)).toEqual(['cocaine', 'buy-meth']);
    expect(text.slice(hits[0]!.start, hits[0]!.end)).toBe('C0CA1NE');
    expect(text.slice(hits[1]!.start, hits[1]!.end)).toBe('buy  m3th');
  });

  it('respects word boundaries', () => {
    expect(ids('cocainebar and bycocaine')).toEqual([]);
    expect(ids('buy methane')).toEqual([]);
  });

  it('matches Russian and Arabic, with locales', () => {
    expect(ids('Кокаин в наличии')).toEqual(['ru-kokain']);
    expect(ids('كبتــاجون للبيع', 'query', { locale: 'ar' })).toEqual(['ar-captagon']);
    expect(ids('كبتاجون', 'query', { locale: 'en' })).toEqual([]);
  });

  it('marks shadow hits and honours scope, enabled, expiry and countries', () => {
    const shadow = match(compiled, 'k e t a m i n e', 'query', { now });
    expect(shadow).toEqual([expect.objectContaining({ ruleId: 'ketamine-shadow', shadow: true })]);
    expect(ids('fentanyl', 'query')).toEqual([]);
    expect(ids('fentanyl', 'content')).toEqual(['content-only']);
    expect(ids('heroin')).toEqual([]);
    expect(ids('oxy')).toEqual([]);
    expect(match(compiled, 'oxy', 'query', { now: new Date('2026-11-05T00:00:00Z') })).toHaveLength(1);
    expect(ids('speed', 'query', { country: 'DE' })).toEqual(['de-only']);
    expect(ids('speed', 'query', { country: 'FR' })).toEqual([]);
    expect(ids('speed', 'query')).toEqual([]);
  });

  it('looks up media hashes', () => {
    expect(matchHashes(compiled, ['A'.repeat(64)], { now }).map((h) => h.ruleId)).toEqual(['hash']);
    expect(matchHashes(compiled, ['b'.repeat(64)], { now })).toEqual([]);
  });
});

describe('compileRuleset', () => {
  it('names the rule and field of an invalid rule', () => {
    expect(() => compileRuleset(ruleset([rule('ok', 'x1'), { ...rule('bad', 'y'), category: 'nope' as never }]))).toThrow(
      expect.objectContaining({ field: '/rules/1/category' }),
    );
    expect(() => compileRuleset(ruleset([rule('dup', 'a1'), rule('dup', 'b1')]))).toThrow(/duplicate rule id/);
    expect(() => compileRuleset(ruleset([rule('r', '(a)\\1', { kind: 'regex' })]))).toThrow(
      expect.objectContaining({ code: 'regex_invalid', field: '/rules/0/pattern' }),
    );
    expect(() => compileRuleset(ruleset([rule('empty', '!!!')]))).toThrow(/nothing left to match/);
    expect(() => compileRuleset(ruleset([rule('q', 'x', { action: 'block_query', scope: ['content'] })]))).toThrow(
      expect.objectContaining({ field: '/rules/0/scope' }),
    );
  });

  it('compiles 50,000 terms', () => {
    const rules = Array.from({ length: 50000 }, (_, i) => rule(`t${i}`, syntheticWord(i)));
    const c = compileRuleset(ruleset(rules));
    expect(c.tokens.size).toBe(50000);
    expect(match(c, `a ${syntheticWord(31337)} here`, 'query', { now }).map((h) => h.ruleId)).toEqual(['t31337']);
  });
});
