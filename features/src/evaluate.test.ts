import { compileFeature, compileFeatures, specificityOf } from './compile-features';
import { evaluateFeature } from './evaluate';
import type { Feature, FeatureRule } from './feature';
import { FeatureClient } from './feature-client';

const basis = { text: 'test', reference: 'T-1' };
const rule = (id: string, state: 'on' | 'off', over: Partial<FeatureRule> = {}): FeatureRule => ({ id, state, reason: `${id} reason`, legalBasis: basis, ...over });
const feature = (rules: FeatureRule[], over: Partial<Feature> = {}): Feature => ({ key: 'people_nearby', description: 'd', default: 'on', failMode: 'closed', rules, ...over });
const NOW = Date.parse('2026-11-30T12:00:00Z');
const decide = (f: Feature, ctx: Parameters<typeof evaluateFeature>[1], now = NOW) => evaluateFeature(compileFeature(f), ctx, now);

describe('feature evaluation', () => {
  it('answers the default when no rule applies', () => {
    expect(decide(feature([rule('de', 'off', { countries: ['DE'] })]), { country: 'FR', platform: 'ios' })).toMatchObject({ state: 'on', on: true, source: 'default' });
    expect(decide(feature([], { default: 'off' }), { country: 'FR', platform: 'ios' })).toMatchObject({ state: 'off', source: 'default' });
  });

  it('names the deciding rule with its reason and legal reference', () => {
    expect(decide(feature([rule('de', 'off', { countries: ['DE'] })]), { country: 'DE', platform: 'ios' })).toEqual({
      key: 'people_nearby',
      state: 'off',
      on: false,
      source: 'rule',
      rule: { id: 'de', reason: 'de reason', legalReference: 'T-1' },
    });
  });

  it('counts constrained dimensions as specificity (age bounds are one)', () => {
    expect(specificityOf(rule('a', 'on'))).toBe(0);
    expect(specificityOf(rule('a', 'on', { countries: ['DE'], platforms: ['ios'] }))).toBe(2);
    expect(specificityOf(rule('a', 'on', { accountAgeDaysAtLeast: 1, accountAgeDaysBelow: 30, standing: ['good'] }))).toBe(2);
  });

  it('lets the most specific rule win, whatever its state', () => {
    const f = feature([rule('everywhere', 'off'), rule('de', 'on', { countries: ['DE'] }), rule('de-ios', 'off', { countries: ['DE'], platforms: ['ios'] })]);
    expect(decide(f, { country: 'FR', platform: 'ios' }).rule?.id).toBe('everywhere');
    expect(decide(f, { country: 'DE', platform: 'web' })).toMatchObject({ state: 'on', rule: { id: 'de' } });
    expect(decide(f, { country: 'DE', platform: 'ios' })).toMatchObject({ state: 'off', rule: { id: 'de-ios' } });
  });

  it('lets off win a tie of equal specificity, in any order', () => {
    const a = rule('a-on', 'on', { countries: ['DE'] });
    const b = rule('z-off', 'off', { platforms: ['ios'] });
    for (const rules of [[a, b], [b, a]]) expect(decide(feature(rules), { country: 'DE', platform: 'ios' })).toMatchObject({ state: 'off', rule: { id: 'z-off' } });
  });

  it('ignores expired rules', () => {
    const f = feature([rule('old', 'off', { countries: ['DE'], expiresAt: '2026-11-30T11:59:59Z' }), rule('soon', 'off', { countries: ['FR'], expiresAt: '2026-11-30T12:00:01Z' })]);
    expect(decide(f, { country: 'DE', platform: 'ios' }).source).toBe('default');
    expect(decide(f, { country: 'FR', platform: 'ios' }).state).toBe('off');
    expect(decide(f, { country: 'FR', platform: 'ios' }, Date.parse('2026-11-30T12:00:01Z')).source).toBe('default');
  });

  it('matches platforms, account age and standing; an attribute not sent matches no condition on it', () => {
    const f = feature([rule('new-accounts', 'off', { accountAgeDaysBelow: 30 }), rule('veterans', 'on', { accountAgeDaysAtLeast: 365, standing: ['good'] }), rule('android', 'off', { platforms: ['android'] })], { default: 'on' });
    expect(decide(f, { country: 'DE', platform: 'ios', accountAgeDays: 29 }).rule?.id).toBe('new-accounts');
    expect(decide(f, { country: 'DE', platform: 'ios', accountAgeDays: 30 }).source).toBe('default');
    expect(decide(f, { country: 'DE', platform: 'ios' }).source).toBe('default');
    expect(decide(f, { country: 'DE', platform: 'android', accountAgeDays: 400, standing: 'good' }).rule?.id).toBe('veterans');
    expect(decide(f, { country: 'DE', platform: 'android', accountAgeDays: 400, standing: 'warned' }).rule?.id).toBe('android');
    expect(decide(f, { country: 'DE', platform: 'android', accountAgeDays: 400 }).rule?.id).toBe('android');
  });

  it('never throws on odd contexts', () => {
    const f = feature([rule('de', 'off', { countries: ['DE'], accountAgeDaysBelow: 3 })]);
    expect(decide(f, undefined as never).source).toBe('default');
    expect(decide(f, { country: 42 as never, accountAgeDays: Number.NaN }).source).toBe('default');
  });
});

describe('FeatureClient without Redis', () => {
  // Never started: evaluation must still answer, from fallbacks.
  const client = (unknown?: 'on' | 'off') => new FeatureClient({ redis: {} as never, subscriber: {} as never, queuePrefix: 't', maxStalenessMs: 1000, ...(unknown ? { unknownFeature: unknown } : {}) });

  it('answers an unknown key with the documented fallback and a reason, never a throw', () => {
    expect(client().decide('nope', { country: 'DE', platform: 'ios' })).toEqual({ key: 'nope', state: 'off', on: false, source: 'unknown_feature', reason: 'no_snapshot' });
    expect(client('on').isOn('nope', { country: 'DE' })).toBe(true);
    expect(client().evaluate({})).toEqual({ version: null, stale: true, features: [] });
  });
});

describe('compileFeatures', () => {
  it('keeps features by key', () => {
    const c = compileFeatures({ version: 3, publishedAt: 'x', rules: [feature([]), feature([], { key: 'uploads' })] });
    expect([...c.features.keys()]).toEqual(['people_nearby', 'uploads']);
  });
});
