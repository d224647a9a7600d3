import { arabicCliticForms } from './arabic-affixes';
import { russianForms } from './russian-inflection';
import { cyrillicToLatin, latinToCyrillic } from './transliteration';

/**
 * Every other spelling a pattern word answers to (raw text; the compiler
 * normalises each and registers it as an alias of the word's token):
 * Arabic clitic forms, Russian inflected forms and their Latin
 * transliterations, Cyrillic spellings of Latin words. `crossScript` holds
 * the Cyrillic spellings of a Latin word: the compiler drops a short one
 * whose skeleton folds back to Latin letters, since that is another English
 * word ("мет" reads "met", as "meet" does).
 */
export function wordVariants(word: string): { native: string[]; crossScript: string[] } {
  const w = word.toLowerCase();
  const ru = russianForms(w);
  const native = [...arabicCliticForms(w), ...ru];
  for (const form of [w, ...ru]) native.push(...cyrillicToLatin(form));
  return { native, crossScript: latinToCyrillic(w) };
}

/** Upper bound on the variants one pattern word may add (schemes × endings stay far under it). */
export const MAX_VARIANTS_PER_WORD = 400;
