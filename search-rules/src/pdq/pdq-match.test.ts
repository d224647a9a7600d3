import { ValidationError } from '@takedown/shared';
import { compileRuleset, validateRuleDefinition } from '../compile';
import { scanContent } from '../scan-content';
import { rule, ruleset } from '../testing/rules-fixture';
import { matchPdq } from './pdq-match';
import { pdqFromHex, pdqToHex } from './pdq-hex';

const LIST = { name: 'known-csam', source: 'test' };
const BASE = 'd8f8f0cce0f4a84f0e370a22028f67f0b36e2ed596623e1d33e6b39c4e9c9b22';

/** BASE with its lowest `n` bits flipped. */
function flipped(n: number): string {
  const h = pdqFromHex(BASE);
  for (let k = 0; k < n; k++) h[k >> 4] = (h[k >> 4] as number) ^ (1 << (k & 15));
  return pdqToHex(h);
}

const pdqRule = (id: string, hash: string, extra = {}) =>
  rule(id, hash, { kind: 'pdq', scope: ['content'], action: 'auto_remove', category: 'csam', hashList: LIST, ...extra });

describe('pdq rules', () => {
  test('validate: 64 hex, content only, from a named list', () => {
    expect(validateRuleDefinition(pdqRule('p1', BASE)).kind).toBe('pdq');
    const bad = (r: unknown) => {
      try {
        validateRuleDefinition(r);
      } catch (err) {
        return err as ValidationError;
      }
      throw new Error('accepted');
    };
    expect(bad(pdqRule('p1', 'abc')).field).toBe('/pattern');
    expect(bad(pdqRule('p1', BASE, { scope: ['query'] })).field).toMatch(/^\/scope/);
    expect(bad({ ...pdqRule('p1', BASE), hashList: undefined }).field).toBe('/hashList');
    expect(bad(pdqRule('p1', BASE, { hashList: { ...LIST, threshold: 80 } })).field).toBe('/hashList/threshold');
    const low = bad(pdqRule('p1', BASE, { quality: 30 }));
    expect(low.field).toBe('/quality');
    expect(low.code).toBe('pdq_low_quality');
    expect(bad(rule('t', 'word', { hashList: LIST })).field).toBe('/hashList');
  });

  test('match within the list threshold (default 31), not beyond', () => {
    const compiled = compileRuleset(ruleset([pdqRule('p1', BASE), pdqRule('tight', flipped(40), { hashList: { ...LIST, name: 'tight', threshold: 5 } })]));
    expect(matchPdq(compiled, [flipped(31)])).toEqual([{ ruleId: 'p1', category: 'csam', action: 'auto_remove', shadow: false, start: 0, end: 0, distance: 31 }]);
    expect(matchPdq(compiled, [flipped(32)])).toEqual([]);
    // 3 bits from `tight`'s hash, 37 from p1's.
    expect(matchPdq(compiled, [flipped(37)]).map((h) => [h.ruleId, h.distance])).toEqual([['tight', 3]]);
    expect(matchPdq(compiled, ['not-a-hash', BASE.toUpperCase()]).map((h) => h.ruleId)).toEqual(['p1']);
  });

  test('scanContent acts on a pdq hit like a sha256 hit; disabled and shadow rules as for any rule', () => {
    const compiled = compileRuleset(ruleset([pdqRule('p1', BASE), pdqRule('off', flipped(1), { enabled: false }), pdqRule('sh', flipped(2), { shadow: true })]));
    const scan = scanContent(compiled, { mediaPdq: [flipped(3)] });
    expect(scan.ruleHits).toEqual(['p1']);
    expect(scan.hits[0]?.action).toBe('auto_remove');
    expect(scan.shadowHits.map((h) => h.ruleId)).toEqual(['sh']);
  });
});
