import { generateDemoCorpus } from './demo-corpus';

describe('generateDemoCorpus', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateDemoCorpus({ count: 300, seed: 1 });
    const b = generateDemoCorpus({ count: 300, seed: 1 });
    const c = generateDemoCorpus({ count: 300, seed: 2 });
    expect(a).toEqual(b);
    expect(a.map((p) => p.text)).not.toEqual(c.map((p) => p.text));
  });

  it('mixes English, Russian and Arabic with some drug and scam spam', () => {
    const posts = generateDemoCorpus({ count: 5000 });
    const by = (f: (p: (typeof posts)[number]) => string) =>
      posts.reduce<Record<string, number>>((acc, p) => ({ ...acc, [f(p)]: (acc[f(p)] ?? 0) + 1 }), {});
    const langs = by((p) => p.lang ?? '');
    const kinds = by((p) => p.kind);
    expect(langs['en']).toBeGreaterThan(2000);
    expect(langs['ru']).toBeGreaterThan(1000);
    expect(langs['ar']).toBeGreaterThan(600);
    expect(kinds['drugs']).toBeGreaterThan(100);
    expect(kinds['scam']).toBeGreaterThan(100);
    expect(new Set(posts.map((p) => p.id)).size).toBe(5000);
    expect(posts.filter((p) => p.lang === 'ru').every((p) => /[а-яё]/i.test(p.text))).toBe(true);
    expect(posts.filter((p) => p.lang === 'ar').every((p) => /[\u0600-\u06ff]/.test(p.text))).toBe(true);
  });
});
