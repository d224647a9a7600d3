import { contentLanguageOf } from './iso-639';
import { TDB_LANGUAGES } from './tdb-vocabulary';

describe('contentLanguageOf', () => {
  it.each([
    ['en', 'EN'],
    ['EN', 'EN'],
    ['en-GB', 'EN'],
    ['pt_BR', 'PT'],
    ['zh-Hant-TW', 'ZH'],
    ['sr-Latn', 'SR'],
    ['deu', 'DE'],
    ['ger', 'DE'],
    ['fra', 'FR'],
    ['fre', 'FR'],
    ['ell', 'EL'],
    ['arb', 'AR'],
    ['cmn', 'ZH'],
    ['nob', 'NB'],
    ['twi', 'TW'],
    ['iw', 'HE'],
    ['in', 'ID'],
    ['ru', 'RU'],
    ['ar', 'AR'],
  ])('%s → %s', (tag, want) => {
    expect(contentLanguageOf(tag)).toBe(want);
  });

  it.each([
    // Not languages, or several: no content_language rather than a wrong one.
    'und', 'mul', 'zxx', 'mis',
    // 3-letter languages without an ISO 639-1 code: never their first two letters.
    'fil', 'fil-PH', 'haw', 'yue', 'gsw', 'ast',
    // Not ISO 639-1 codes at all, private use, grandfathered, malformed.
    'un', 'xx', 'qaa', 'x-klingon', 'i-klingon', 'sh', '', '  ', 'e', 'english', '12', undefined, null,
  ])('%s → none', (tag) => {
    expect(contentLanguageOf(tag as string | undefined)).toBeUndefined();
  });

  it('fil is never FI (Filipino is not Finnish) and und is never UN', () => {
    expect(contentLanguageOf('fil')).not.toBe('FI');
    expect(contentLanguageOf('und')).not.toBe('UN');
    expect(contentLanguageOf('fin')).toBe('FI');
  });

  it('answers only codes the database takes', () => {
    const taken = new Set<string>(TDB_LANGUAGES);
    for (const c of TDB_LANGUAGES) {
      expect(contentLanguageOf(c.toLowerCase())).toBe(c);
    }
    for (const tag of ['aar', 'bih', 'bod', 'tib', 'zho', 'chi', 'may', 'zsm', 'pes', 'prs', 'kin', 'iii']) {
      const got = contentLanguageOf(tag);
      expect(got).toBeDefined();
      expect(taken.has(got as string)).toBe(true);
    }
  });
});
