import fc from 'fast-check';
import { ValidationError } from '@takedown/shared';
import type { Rule } from '@takedown/search-rules';
import { pageRules, stateOf, validateRulePageQuery, type RulePageQuery } from './rule-page';

const base = { scope: ['query'], createdBy: 'lead-1', createdAt: '2026-11-01T00:00:00.000Z' } as const;
const rule = (id: string, over: Partial<Rule> = {}): Rule => ({ ...base, scope: ['query'], id, kind: 'term', pattern: id, category: 'drugs', action: 'block_query', ...over });

const draft: Rule[] = [
  rule('b-coke', { pattern: 'Cocaine' }),
  rule('a-gun', { category: 'weapons', action: 'demote', note: 'seasonal COCAINE slang' }),
  rule('c-shadow', { shadow: true, category: 'weapons' }),
  rule('d-off', { enabled: false }),
  rule('e-hash', { kind: 'pdq', pattern: 'ab'.repeat(32), scope: ['content'], action: 'auto_remove', category: 'csam', hashList: { name: 'ncmec-1', source: 'x' } }),
  rule('f-hash', { kind: 'pdq', pattern: 'cd'.repeat(32), scope: ['content'], action: 'auto_remove', category: 'csam', hashList: { name: 'ncmec-2', source: 'x' } }),
];

/** Every page from the start, following `next`. */
function walk(rules: readonly Rule[], q: RulePageQuery): string[] {
  const seen: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = pageRules(rules, { ...q, ...(after === undefined ? {} : { after }) });
    expect(page.from).toBe(seen.length);
    seen.push(...page.rules.map((r) => r.id));
    if (page.next === null) return seen;
    after = page.next;
  }
  throw new Error('paging did not end');
}

describe('pageRules', () => {
  it('searches id, pattern and note case-insensitively, in id order', () => {
    const page = pageRules(draft, { q: ' cocaINE ' });
    expect(page.rules.map((r) => r.id)).toEqual(['a-gun', 'b-coke']);
    expect(page.total).toBe(2);
    expect(page.next).toBeNull();
  });

  it('filters by category, action, kind, scope, hash list and state', () => {
    const ids = (q: RulePageQuery) => pageRules(draft, q).rules.map((r) => r.id);
    expect(ids({ category: 'weapons' })).toEqual(['a-gun', 'c-shadow']);
    expect(ids({ action: 'auto_remove', kind: 'pdq' })).toEqual(['e-hash', 'f-hash']);
    expect(ids({ scope: 'content' })).toEqual(['e-hash', 'f-hash']);
    expect(ids({ list: 'ncmec-2' })).toEqual(['f-hash']);
    expect(ids({ state: 'shadow' })).toEqual(['c-shadow']);
    expect(ids({ state: 'disabled' })).toEqual(['d-off']);
    expect(ids({ state: 'live', category: 'drugs' })).toEqual(['b-coke']);
    expect(ids({ id: 'd-off' })).toEqual(['d-off']);
    expect(ids({ category: 'fraud' })).toEqual([]);
  });

  it('counts each filter value as choosing it would show, with the other filters kept', () => {
    const { facets, total } = pageRules(draft, { category: 'weapons' });
    expect(total).toBe(2);
    // The category facet ignores the category filter itself...
    expect(facets.category).toEqual({ drugs: 2, weapons: 2, csam: 2 });
    // ...the others count within weapons.
    expect(facets.action).toEqual({ demote: 1, block_query: 1 });
    expect(facets.state).toEqual({ live: 1, shadow: 1 });
    expect(facets.list).toEqual({});
    expect(pageRules(draft, {}).facets.list).toEqual({ 'ncmec-1': 1, 'ncmec-2': 1 });
  });

  it('pages by id: next and from, the last page has no next, a cursor past the end is an empty page', () => {
    const p1 = pageRules(draft, { size: '4' });
    expect([p1.rules.map((r) => r.id), p1.next, p1.from]).toEqual([['a-gun', 'b-coke', 'c-shadow', 'd-off'], 'd-off', 0]);
    const p2 = pageRules(draft, { size: '4', after: 'd-off' });
    expect([p2.rules.map((r) => r.id), p2.next, p2.from]).toEqual([['e-hash', 'f-hash'], null, 4]);
    // Exactly full: no phantom next page.
    expect(pageRules(draft, { size: '6' }).next).toBeNull();
    expect(pageRules(draft, { after: 'zzz' })).toMatchObject({ rules: [], next: null, total: 6, from: 6 });
    // A cursor that is no longer in the draft (deleted meanwhile) still resumes after it.
    expect(pageRules(draft, { after: 'c' }).rules[0]?.id).toBe('c-shadow');
  });

  it('walking every page yields every matching rule exactly once, in id order, for any draft, filter and size', () => {
    const arbRule = fc.record({
      id: fc.stringMatching(/^[A-Za-z0-9._:-]{1,6}$/),
      category: fc.constantFrom('drugs', 'weapons', 'other' as const),
      action: fc.constantFrom('block_query', 'demote' as const),
      shadow: fc.boolean(),
      enabled: fc.boolean(),
      pattern: fc.constantFrom('alpha', 'beta', 'Alphabet'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(arbRule, { selector: (r) => r.id, maxLength: 120 }),
        fc.integer({ min: 1, max: 200 }),
        fc.record({ category: fc.constantFrom('drugs', 'weapons', 'other' as const), state: fc.constantFrom('live', 'shadow', 'disabled' as const), q: fc.constantFrom('alpha', 'A', 'zz') }, { requiredKeys: [] }),
        (specs, size, filter) => {
          const rules = specs.map((s) => rule(s.id, s));
          const expected = rules
            .filter((r) => (!filter.category || r.category === filter.category) && (!filter.state || stateOf(r) === filter.state) && (!filter.q || r.id.toLowerCase().includes(filter.q.toLowerCase()) || r.pattern.toLowerCase().includes(filter.q.toLowerCase())))
            .map((r) => r.id)
            .sort((a, b) => (a < b ? -1 : 1));
          expect(walk(rules, { ...filter, size: String(size) })).toEqual(expected);
          expect(pageRules(rules, filter).total).toBe(expected.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('validateRulePageQuery', () => {
  const fieldOf = (q: unknown): string => {
    try {
      validateRulePageQuery(q);
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).field ?? '';
    }
    return 'accepted';
  };
  it('bounds the page size and names the bad field', () => {
    expect(fieldOf({ size: '200', after: 'a-b', q: 'x', state: 'shadow' })).toBe('accepted');
    expect(fieldOf({ size: '1' })).toBe('accepted');
    for (const size of ['0', '201', '1000', '05', '-1', '1e2', '']) expect(fieldOf({ size })).toBe('/size');
    expect(fieldOf({ category: 'cats' })).toBe('/category');
    expect(fieldOf({ state: 'on' })).toBe('/state');
    expect(fieldOf({ after: 'no spaces' })).toBe('/after');
    expect(fieldOf({ q: 'x'.repeat(201) })).toBe('/q');
    expect(fieldOf({ q: ['a', 'b'] })).toBe('/q');
    expect(fieldOf({ page: '2' })).toBe('/page');
  });
});
