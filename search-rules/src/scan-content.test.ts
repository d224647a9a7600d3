import { compileRuleset } from './compile';
import { normalize } from './normalizer';
import { contentRuleQuery } from './content-query';
import { contentState, decidedVisible, opensCase, rulesWantingReview, scanContent, scannedModeration, searchEffect } from './scan-content';
import { rule, ruleset } from './testing/rules-fixture';

const HASH = 'cd'.repeat(32);
const rules = [
  rule('sale', 'selling cocaine', { scope: ['content'], action: 'flag_for_review', untilReviewed: 'exclude' }),
  rule('menu', 'dm for menu', { scope: ['content'], action: 'flag_for_review' }),
  rule('spam', 'cheap followers', { scope: ['content'], action: 'demote', category: 'fraud' }),
  rule('de-only', 'forbidden symbol', { scope: ['content'], action: 'exclude', countries: ['DE', 'AT'], category: 'terrorism' }),
  rule('hash', HASH, { kind: 'sha256', scope: ['content'], action: 'auto_remove', category: 'csam' }),
  rule('query-only', 'cocaine', { scope: ['query'], action: 'block_query' }),
  rule('trial', 'grey market', { scope: ['content'], action: 'exclude', shadow: true }),
  rule('ru-only', 'закладки', { scope: ['content'], action: 'exclude', locales: ['ru'] }),
];
const compiled = compileRuleset(ruleset(rules));
const byId = new Map(rules.map((r) => [r.id, r]));
const verdictOf = (text: string, extra: { lang?: string; mediaSha256?: string[] } = {}) =>
  contentState(scanContent(compiled, { text, ...extra }).ruleHits.map((id) => byId.get(id)!));

describe('scanContent', () => {
  it('normalises once and returns the stored form, the live hits and the rule ids', () => {
    const text = 'S E L L I N G  c0caine, DM for menu';
    const scan = scanContent(compiled, { text, lang: 'en' });
    expect(scan.normalizedText).toBe(normalize(text));
    expect(scan.ruleHits).toEqual(['menu', 'sale']);
    expect(scan.hits.map((h) => h.ruleId)).toEqual(['sale', 'menu']);
    expect(text.slice(scan.hits[0]!.start, scan.hits[0]!.end)).toBe('S E L L I N G  c0caine');
  });

  it('never uses query-only rules on content, and keeps shadow hits apart', () => {
    const scan = scanContent(compiled, { text: 'cocaine on the grey market' });
    expect(scan.ruleHits).toEqual([]);
    expect(scan.shadowHits.map((h) => h.ruleId)).toEqual(['trial']);
  });

  it('matches media hashes, and locale-scoped rules only in their language', () => {
    expect(scanContent(compiled, { mediaSha256: [HASH.toUpperCase()] }).ruleHits).toEqual(['hash']);
    expect(scanContent(compiled, { text: 'закладки', lang: 'ru' }).ruleHits).toEqual(['ru-only']);
    expect(scanContent(compiled, { text: 'закладки', lang: 'en' }).ruleHits).toEqual([]);
  });

  it('gives an empty scan for a post without text or media', () => {
    expect(scanContent(compiled, {})).toEqual({ normalizedText: '', hits: [], shadowHits: [], ruleHits: [] });
  });
});

describe('contentState', () => {
  it('ranks removal over exclusion over restriction over demotion', () => {
    expect(verdictOf('selling cocaine', { mediaSha256: [HASH] })).toEqual({ state: 'removed', restrictedIn: [], category: 'csam' });
    expect(verdictOf('selling cocaine, forbidden symbol, cheap followers')).toEqual({ state: 'excluded', restrictedIn: [], category: 'drugs' });
    expect(verdictOf('forbidden symbol and cheap followers')).toEqual({ state: 'restricted', restrictedIn: ['AT', 'DE'], category: 'terrorism' });
    // The category is the most severe of the rules that set the state (drugs over fraud).
    expect(verdictOf('cheap followers, dm for menu')).toEqual({ state: 'suspected', restrictedIn: [], category: 'drugs' });
    expect(verdictOf('cheap followers')).toEqual({ state: 'suspected', restrictedIn: [], category: 'fraud' });
    expect(verdictOf('a picnic in the park')).toEqual({ state: 'none', restrictedIn: [] });
  });

  it('ignores expired, disabled and shadow rules', () => {
    const now = Date.parse('2026-11-30T00:00:00Z');
    const expired = { ...byId.get('sale')!, expiresAt: '2026-11-29T00:00:00.000Z' };
    const disabled = { ...byId.get('sale')!, enabled: false };
    expect(contentState([expired, disabled, byId.get('trial')!], now).state).toBe('none');
  });

  it('maps every content action to its effect in search', () => {
    expect(rules.map((r) => [r.id, searchEffect(r) ?? null, opensCase(r)])).toEqual([
      ['sale', 'hide', true],
      ['menu', 'demote', true],
      ['spam', 'demote', false],
      ['de-only', 'hide', false],
      ['hash', 'remove', true],
      ['query-only', null, false],
      ['trial', 'hide', false],
      ['ru-only', 'hide', false],
    ]);
  });
});

describe('scannedModeration', () => {
  const scan = { normalizedText: 'selling cocaine', ruleHits: ['sale'] };
  const verdict = { state: 'excluded' as const, restrictedIn: [], category: 'drugs' as const };

  it('takes the state from the rules when nobody decided', () => {
    expect(scannedModeration(undefined, scan, verdict, 7, '2026-11-30T00:00:00.000Z')).toEqual({
      state: 'excluded',
      category: 'drugs',
      restrictedIn: [],
      labels: [],
      ruleHits: ['sale'],
      normalizedText: 'selling cocaine',
      scannedVersion: 7,
      updatedAt: '2026-11-30T00:00:00.000Z',
    });
  });

  it('keeps a decision over any rule: a kept post stays visible, a removed one stays removed', () => {
    const kept = scannedModeration({ state: 'none', category: null, decisionId: 'd_1', restrictedIn: [], labels: [] }, scan, verdict, 7, 'now');
    expect(kept).toMatchObject({ state: 'none', decisionId: 'd_1', ruleHits: ['sale'], scannedVersion: 7 });
    const removed = scannedModeration({ state: 'removed', category: 'drugs', decisionId: 'd_2' }, { normalizedText: '', ruleHits: [] }, { state: 'none', restrictedIn: [] }, 8, 'now');
    expect(removed).toMatchObject({ state: 'removed', category: 'drugs', decisionId: 'd_2', restrictedIn: [], labels: [] });
  });
});

describe('rulesWantingReview', () => {
  const all = [...rules];
  it('sends posts to a human for rules that open a case, and for hiding rules once a kept post changed', () => {
    expect(rulesWantingReview(all, false).map((r) => r.id)).toEqual(['sale', 'menu', 'hash']);
    expect(rulesWantingReview(all, true).map((r) => r.id)).toEqual(['sale', 'menu', 'de-only', 'hash', 'trial', 'ru-only']);
    expect(decidedVisible({ decisionId: 'd', state: 'none' })).toBe(true);
    expect(decidedVisible({ decisionId: 'd', state: 'labelled' })).toBe(true);
    expect(decidedVisible({ decisionId: 'd', state: 'removed' })).toBe(false);
    expect(decidedVisible({ state: 'none' })).toBe(false);
  });
});

describe('contentRuleQuery', () => {
  it('matches hashes in either case and locale rules as the matcher does', () => {
    const hash = rule('h', 'AB'.repeat(32), { kind: 'sha256', scope: ['content'], action: 'auto_remove' });
    expect(contentRuleQuery(hash, '')).toEqual({ bool: { filter: [{ term: { 'media.sha256': { value: 'ab'.repeat(32), case_insensitive: true } } }] } });
    const fr = contentRuleQuery(rule('f', 'x y', { scope: ['content'], action: 'exclude', locales: ['fr'] }), 'x y') as { bool: { filter: unknown[] } };
    expect(JSON.stringify(fr.bool.filter[1])).toContain('"must_not":[{"exists":{"field":"lang"}}]');
    expect(JSON.stringify(fr.bool.filter[1])).toContain('{"prefix":{"lang":{"value":"fr-","case_insensitive":true}}}');
  });
});
