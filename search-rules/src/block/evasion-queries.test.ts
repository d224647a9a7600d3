import fc from 'fast-check';
import { evasionCorpus } from '../../../test/fixtures/evasion-corpus';
import { compileRuleset } from '../compile';
import { shippedRuleset } from '../lists/shipped-lists';
import { rewriteSearch } from '../rewrite';

/**
 * Issue 17 item 4: the evasion classes apply to searches as they do to
 * posts. The search guard reads plain text through the same normaliser and
 * token table (aliases included), in every text-bearing clause.
 */
const compiled = compileRuleset(shippedRuleset('2026-11-01T00:00:00.000Z'));
const clauses = [
  (q: string) => ({ query: { match: { text: q } } }),
  (q: string) => ({ query: { match_phrase: { text: { query: q } } } }),
  (q: string) => ({ query: { simple_query_string: { query: q } } }),
  (q: string) => ({ query: { bool: { should: [{ match: { title: 'x' } }, { multi_match: { query: q, fields: ['text'] } }] } } }),
];

describe('evasion classes on the query side', () => {
  it.each([
    ['Arabic article and conjunction', 'للبيع والكبتاجون'],
    ['Arabic enclitic', 'كبتاجونه'],
    ['Russian inflection', 'куплю кокаина'],
    ['Russian transliteration', 'kupit mefedron'],
    ['English in Cyrillic letters', 'мдма'],
    ['small capitals', 'ᴄᴏᴄᴀɪɴᴇ'],
    ['I for l', 'moIIy plug'],
    ['regional indicators', '🇱🇸🇩'],
    ['phrase spelled out', 'b u y m o l l y'],
  ])('%s: %s is refused in every clause', (_cls, q) => {
    for (const body of clauses) expect({ q, blocked: rewriteSearch(compiled, body(q)).blocked }).toEqual({ q, blocked: true });
  });

  // Classes with known misses (README, Evasion classes) are left out: their floors are in evasion-classes.test.ts.
  it('property: every evasion-corpus case is refused as a match query', () => {
    const cases = evasionCorpus(23).filter((c) => !['parenthesised', 'ru-inflection', 'en-in-cyrillic', 'ru-translit'].includes(c.cls));
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.constantFrom(...clauses), (c, body) => {
        expect({ c, blocked: rewriteSearch(compiled, body(c.text)).blocked }).toEqual({ c, blocked: true });
      }),
      { numRuns: 300 },
    );
  });

  it('benign near misses pass', () => {
    for (const q of ['героиня романа', 'شبوة محافظة', 'we meet at noon', 'кокосовое молоко', 'وحش في الغابة']) {
      expect({ q, blocked: rewriteSearch(compiled, { query: { match: { text: q } } }).blocked }).toEqual({ q, blocked: false });
    }
  });
});
