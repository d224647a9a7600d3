import { compileRuleset, validateRuleDefinition } from './compile';
import { contentRuleQuery, isBackfillRule } from './content-query';
import { match } from './match';
import { REGEX_LIMITS, checkRegex, compileRegex, firstMatch, programSize, releaseRegex } from './regex-rule';
import { lexiconOf } from './block/lexicon';
import { scanContent } from './scan-content';
import { rule, ruleset } from './testing/rules-fixture';

const regex = (id: string, pattern: string, extra = {}) => rule(id, pattern, { kind: 'regex', ...extra });
const now = new Date('2026-11-20T00:00:00Z');

describe('regex rules: matching', () => {
  const compiled = compileRuleset(
    ruleset([
      rule('cocaine', 'cocaine'),
      // Written against normalised text: punctuation is a single space, letters lower-case.
      regex('phone', String.raw`\d{3} \d{3} \d{4}`, { scope: ['content'], action: 'flag_for_review' }),
      regex('price', String.raw`\b\d+ (usd|eur)\b`),
      regex('handle', String.raw`\bvendor[a-z]*\b`, { locales: ['en'] }),
    ]),
  );

  it('matches the normalised text, with the span mapped back to the original', () => {
    const text = 'Call +1 (555) 123-4567 now';
    const scan = scanContent(compiled, { text }, now);
    expect(scan.ruleHits).toEqual(['phone']);
    const hit = scan.hits[0]!;
    expect(text.slice(hit.start, hit.end)).toBe('555) 123-4567');
  });

  it('matches queries too, case-insensitively, in text order with the other rules', () => {
    const hits = match(compiled, 'Cocaine for 50 USD', 'query', { now });
    expect(hits.map((h) => h.ruleId)).toEqual(['cocaine', 'price']);
    expect(match(compiled, 'call 555 123 4567', 'query', { now })).toEqual([]);
    expect(match(compiled, 'VendorX here', 'query', { now, locale: 'ru' })).toEqual([]);
    expect(match(compiled, 'VendorX here', 'query', { now, locale: 'en' }).map((h) => h.ruleId)).toEqual(['handle']);
  });

  it('scans only the head of a long text (REGEX_LIMITS.maxInput)', () => {
    const pad = 'word '.repeat(REGEX_LIMITS.maxInput / 5);
    expect(scanContent(compiled, { text: `555 123 4567 ${pad}` }, now).ruleHits).toEqual(['phone']);
    expect(scanContent(compiled, { text: `${pad} 555 123 4567` }, now).ruleHits).toEqual([]);
  });

  it('runs each rule only when the union of all matches, and one by one when the union does not compile', () => {
    expect(compiled.regexUnion).toBeDefined();
    const named = compileRuleset(ruleset([regex('a', '(?P<n>ab)c'), regex('b', '(?P<n>xy)z'), regex('c', '(?i)qu')]));
    expect(named.regexUnion).toBeUndefined();
    expect(match(named, 'xyz then abc qu', 'query', { now }).map((h) => h.ruleId)).toEqual(['b', 'a', 'c']);
    // Flags and anchors stay inside each rule's group of the union.
    const scoped = compileRuleset(ruleset([regex('a', '(?i)kay'), regex('b', 'kbe$')]));
    expect(match(scoped, 'kbe kay', 'query', { now }).map((h) => h.ruleId)).toEqual(['a']);
    expect(match(scoped, 'kay kbe', 'query', { now }).map((h) => h.ruleId)).toEqual(['a', 'b']);
    expect(match(scoped, 'nothing here', 'query', { now })).toEqual([]);
  });

  it('has no Elasticsearch query and is not backfilled', () => {
    const r = regex('p', 'a+b');
    expect(() => contentRuleQuery(r, 'a+b')).toThrow(/no Elasticsearch query/);
    expect(isBackfillRule(r)).toBe(false);
  });
});

describe('regex rules: linear time', () => {
  // Catastrophic for a backtracking engine (2^n paths): RE2 runs them as an automaton.
  it.each([String.raw`(a+)+$`, String.raw`(a|aa)+$`, String.raw`(x+x+)+y`, String.raw`(a|a?)+b`, String.raw`(\w+\s?)+z`])(
    '%s completes on 100,000 characters',
    (pattern) => {
      const re = compileRegex(pattern);
      try {
        const input = 'a'.repeat(100_000) + '!';
        const m = firstMatch(re, input);
        expect(m === undefined || m[1] <= input.length).toBe(true);
      } finally {
        releaseRegex(re);
      }
    },
  );

  it('completes through the matcher on adversarial text at the input cap', () => {
    const c = compileRuleset(ruleset([regex('evil', String.raw`(a+ ?)+$x`)]));
    expect(match(c, 'ab '.repeat(REGEX_LIMITS.maxInput), 'content', { now })).toEqual([]);
  });
});

describe('regex rules: validation', () => {
  const field = (pattern: string) => {
    try {
      validateRuleDefinition(regex('r', pattern));
    } catch (err) {
      return err as { field?: string; code?: string; message: string };
    }
    return undefined;
  };

  it.each([
    [String.raw`(a)\1`, 'regex_invalid', /backreferences/],
    ['foo(?=bar)', 'regex_invalid', /perl operator/],
    ['(?<!x)foo', 'regex_invalid', /perl operator/],
    ['foo(', 'regex_invalid', /missing/],
    ['a*', 'regex_matches_empty', /empty/],
    ['x'.repeat(201), 'regex_too_long', /200/],
    ['Vendor[0-9]+', 'regex_upper_case', /"V" in lower case/],
    // The normaliser reads l as i ("sell" is "sei" in the text): a literal l could never match.
    ['sell [0-9]+ grams', 'regex_not_normalised', /"l" reads as "i"/],
    ['ёлка', 'regex_not_normalised', /"ё" reads as "e"/], // Cyrillic look-alikes fold to the Latin skeleton
    ['[a-z]{101}', 'regex_too_large', /\{100\}/],
    ['(abcdefghij{10}){60}', 'regex_too_large', /too large/],
    // Unicode property classes are heavy in RE2's program: three copies exceed the budget.
    [String.raw`\p{L}{3}`, 'regex_too_large', /too large/],
  ])('refuses %s with %s on /pattern', (pattern, code, message) => {
    const err = field(pattern);
    expect(err).toMatchObject({ field: '/pattern', code });
    expect(err?.message).toMatch(message);
  });

  it('accepts RE2 syntax', () => {
    for (const p of [String.raw`\bfoo\b`, String.raw`\p{Cyrillic}+ \d+`, '(?P<Name>ab)|cd', String.raw`\pN\PL\D\W[[:^alpha:]]x`, '[^ ]{3,10}x', '(?i)abc', '^start', 'end$']) {
      expect(() => checkRegex(p)).not.toThrow();
    }
  });

  it('names the rule index in a ruleset, refuses csam regex rules, and bounds their number', () => {
    expect(() => compileRuleset(ruleset([rule('ok', 'x1'), regex('bad', '(a)\\1')]))).toThrow(
      expect.objectContaining({ field: '/rules/1/pattern', code: 'regex_invalid', message: expect.stringMatching(/^rules\[1\] \(bad\)/) }),
    );
    expect(() => validateRuleDefinition(regex('c', 'abc', { category: 'csam' }))).toThrow(expect.objectContaining({ field: '/kind', code: 'regex_not_supported' }));
    const many = Array.from({ length: REGEX_LIMITS.maxRulesPerRuleset + 1 }, (_, i) => regex(`r${i}`, `x${i}y`));
    expect(() => compileRuleset(ruleset(many))).toThrow(expect.objectContaining({ field: '/rules', code: 'too_many_regex_rules' }));
    expect(compileRuleset(ruleset(many.slice(1))).regexes).toHaveLength(REGEX_LIMITS.maxRulesPerRuleset);
    const heavy = Array.from({ length: 9 }, (_, i) => regex(`h${i}`, String.raw`\pN\p{L}x${i}`));
    expect(() => compileRuleset(ruleset(heavy))).toThrow(expect.objectContaining({ field: '/rules', message: expect.stringMatching(/too large/) }));
    expect(compileRuleset(ruleset(heavy.slice(1))).regexes).toHaveLength(8);
  });

  it('estimates program size with counted repetitions', () => {
    expect(programSize('abc')).toBe(3);
    expect(programSize('a{10}')).toBe(10);
    expect(programSize('(ab){3}c')).toBe(7);
    expect(programSize('[a-z]{2,5}')).toBe(5);
    expect(programSize(String.raw`\p{L}{4,}`)).toBe(600);
    expect(programSize(String.raw`[\p{L}\d]+x`)).toBe(122);
  });

  it('frees what it compiles: the fixed wasm heap outlasts many more compiles than it holds', () => {
    // 16 MiB per thread, which cannot grow: about 1,900 of these, leaked, abort the module.
    for (let i = 0; i < 2500; i++) {
      const re = compileRegex(`[a-z0-9]{100}x${i}`);
      if (i % 100 === 0) expect(firstMatch(re, `ab 1x x${i}`)).toBeUndefined();
      releaseRegex(re);
    }
  });
});

describe('regex rules: the search guard', () => {
  it('blocks searches through the matcher, never adding the pattern to the blocked-word lexicon', () => {
    const c = compileRuleset(ruleset([rule('w', 'kratom'), regex('rx', String.raw`\bshop\d*\b`)]));
    expect(lexiconOf(c).tokens).toEqual(['kratom']);
    expect(match(c, 'Shop 77 open', 'query', { now }).map((h) => h.ruleId)).toEqual(['rx']);
  });
});
