/**
 * Arabic clitics, matched at the term side: rather than stripping letters
 * from every word of the text (which turns وحش "beast" into حش), each
 * Arabic pattern word also answers to itself with an allowed proclitic
 * sequence in front or an enclitic pronoun behind. The text is left as it
 * is, so a word that merely starts with و or ب never loses letters.
 */

/** Conjunctions, prepositions and the article that attach to the next word. */
export const ARABIC_PROCLITICS: readonly string[] = [
  'و', 'ف', 'ب', 'ك', 'ل', 'ال', 'وال', 'بال', 'فال', 'كال', 'لل', 'ولل', 'فلل', 'وب', 'فب', 'ول', 'فل', 'وك',
];

/** Enclitic pronouns and the common noun suffixes (feminine, plurals) a dealer writes. */
export const ARABIC_ENCLITICS: readonly string[] = ['ه', 'ها', 'هم', 'هن', 'ك', 'كم', 'نا', 'ي', 'ات', 'ين', 'ون'];

/** Conjunctions that may sit in front of a word that also carries an enclitic. */
const CONJUNCTIONS = ['و', 'ف'];

const ARABIC_LETTER = /^[\u0621-\u064A\u066E-\u06D3]+$/u;

/** Whether `word` is written in Arabic letters only. */
export function isArabicWord(word: string): boolean {
  return ARABIC_LETTER.test(word);
}

/**
 * The clitic forms of an Arabic word (raw letters; the caller normalises
 * them). Words of two letters or fewer get none: clitics on them spell too
 * many everyday words.
 */
export function arabicCliticForms(word: string): string[] {
  if (!isArabicWord(word) || [...word].length < 3) return [];
  const out: string[] = [];
  for (const p of ARABIC_PROCLITICS) out.push(p + word);
  // Suffixes on a three-letter word spell place names and everyday words
  // (شبو + ة is شبوة, a Yemeni governorate): longer words only.
  if ([...word].length < 4) return out;
  // A final teh marbuta becomes teh before a pronoun (حشيشة → حشيشتها).
  const stem = word.endsWith('ة') ? `${word.slice(0, -1)}ت` : word;
  for (const s of ARABIC_ENCLITICS) {
    const base = s === 'ات' && word.endsWith('ة') ? word.slice(0, -1) : stem;
    out.push(base + s);
    for (const c of CONJUNCTIONS) out.push(c + base + s);
  }
  // The feminine ending on a word written without it (حشيش → حشيشة).
  if (!word.endsWith('ة') && !word.endsWith('ه')) out.push(`${word}ة`);
  return out;
}
