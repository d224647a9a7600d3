import { generateDemoCorpus } from '@takedown/shared';
import { compileRuleset, contentState, scanContent, scannedModeration, type Rule } from '@takedown/search-rules';

/**
 * The ingest benches' posts: 5,000 demo posts, each padded to ~1 KB (as
 * the platform stores them) with benign ones only, so the share with a rule
 * hit stays the corpus's (padding with any post put a sale offer in 58 % of
 * them). With each, its moderation fields as ingest stores them under
 * `rules`, computed once, outside any timing.
 */
export function ingestPosts(rules: Rule[], at: string) {
  const compiled = compileRuleset({ version: 1, rules, publishedAt: at, publishedBy: 'bench' }, { trusted: true });
  const corpus = generateDemoCorpus({ count: 5000, seed: 5 });
  const benign = corpus.filter((p) => p.kind === 'benign');
  const posts = corpus.map(({ kind: _kind, ...doc }, i) => {
    let text = doc.text;
    while (text.length < 1000) text += ` ${benign[(i * 7 + text.length) % benign.length]!.text}`;
    return { ...doc, text };
  });
  const moderationOf = posts.map((post) => {
    const scan = scanContent(compiled, { text: post.text, lang: post.lang });
    return scannedModeration(undefined, scan, contentState(scan.ruleHits.map((id) => compiled.byId.get(id) as Rule)), 1, at);
  });
  /** Share of the posts with a live rule hit. */
  const flagged = moderationOf.filter((m) => (m.ruleHits ?? []).length > 0).length / posts.length;
  return { posts, moderationOf, flagged };
}
