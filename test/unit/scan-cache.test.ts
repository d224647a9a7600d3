import { compileRuleset, scanContent, testing } from '@takedown/search-rules';
import { ScanCache } from '@takedown/triage-worker';

// The scan cache must answer exactly what a fresh scan answers: same
// ruleset, same input, same span between rule expiries.

const at = (iso: string) => new Date(iso);
const ruleset = (version: number) =>
  compileRuleset(
    testing.ruleset(
      [
        testing.rule('cocaine', 'cocaine', { scope: ['content'], action: 'flag_for_review' }),
        testing.rule('heroin', 'heroin', { scope: ['content'], action: 'flag_for_review', expiresAt: '2026-12-01T00:00:00.000Z' }),
        testing.rule('pills', 'pills', { scope: ['content'], action: 'flag_for_review', locales: ['de'] }),
      ],
      version,
    ),
  );
const ids = (s: { hits: { ruleId: string }[] }) => s.hits.map((h) => h.ruleId).sort();

describe('ScanCache', () => {
  const v1 = ruleset(1);
  const text = 'cocaine and heroin and pills';

  it('answers a repeated scan from the cache with what a fresh scan answers', () => {
    const cache = new ScanCache(10);
    const now = at('2026-11-30T12:00:00.000Z');
    const first = cache.scan(v1, { text }, now);
    expect(ids(first)).toEqual(['cocaine', 'heroin', 'pills']);
    expect(cache.scan(v1, { text }, now)).toBe(first);
    expect(ids(first)).toEqual(ids(scanContent(v1, { text }, now)));
  });

  it('scans again once a rule has expired, and not before', () => {
    const cache = new ScanCache(10);
    const before = cache.scan(v1, { text }, at('2026-11-30T23:59:59.000Z'));
    expect(cache.scan(v1, { text }, at('2026-11-30T23:59:59.999Z'))).toBe(before);
    const after = cache.scan(v1, { text }, at('2026-12-01T00:00:00.000Z'));
    expect(ids(after)).toEqual(['cocaine', 'pills']);
    // Back before the expiry (a caller's clock): the earlier answer, never the later one.
    expect(ids(cache.scan(v1, { text }, at('2026-11-30T00:00:00.000Z')))).toEqual(['cocaine', 'heroin', 'pills']);
  });

  it('keys by language and media, not the text alone', () => {
    const cache = new ScanCache(10);
    const now = at('2026-11-30T12:00:00.000Z');
    expect(ids(cache.scan(v1, { text, lang: 'de' }, now))).toEqual(['cocaine', 'heroin', 'pills']);
    expect(ids(cache.scan(v1, { text, lang: 'en' }, now))).toEqual(['cocaine', 'heroin']);
    const sha = 'a'.repeat(64);
    const withMedia = compileRuleset(testing.ruleset([testing.rule('hash', sha, { kind: 'sha256', scope: ['content'], action: 'flag_for_review' })], 3));
    expect(ids(cache.scan(withMedia, { text, mediaSha256: [] }, now))).toEqual([]);
    expect(ids(cache.scan(withMedia, { text, mediaSha256: [sha] }, now))).toEqual(['hash']);
  });

  it('starts empty on a new ruleset version and does not cache an older one', () => {
    const cache = new ScanCache(10);
    const now = at('2026-11-30T12:00:00.000Z');
    cache.scan(v1, { text }, now);
    const v2 = compileRuleset(testing.ruleset([testing.rule('pills', 'pills', { scope: ['content'], action: 'flag_for_review' })], 2));
    expect(ids(cache.scan(v2, { text }, now))).toEqual(['pills']);
    expect(cache.size).toBe(1);
    expect(ids(cache.scan(v1, { text }, now))).toEqual(['cocaine', 'heroin', 'pills']);
    expect(cache.size).toBe(1);
  });

  it('keeps at most its bound, dropping the least recently used', () => {
    const cache = new ScanCache(2);
    const now = at('2026-11-30T12:00:00.000Z');
    const a = cache.scan(v1, { text: 'cocaine a' }, now);
    cache.scan(v1, { text: 'cocaine b' }, now);
    expect(cache.scan(v1, { text: 'cocaine a' }, now)).toBe(a);
    cache.scan(v1, { text: 'cocaine c' }, now);
    expect(cache.size).toBe(2);
    // b was the least recently used: gone; a stays.
    expect(cache.scan(v1, { text: 'cocaine a' }, now)).toBe(a);
  });
});
