/**
 * Transliteration both ways for pattern words: a Russian word also answers
 * to its common Latin spellings (кокаин → kokain), an English word to its
 * Cyrillic spelling (mdma → мдма, xanax → ксанакс). A few schemes are
 * generated, since people mix them (kh/h, shch/sch, ya/ja).
 */

/** Cyrillic letter → its Latin spellings (first is the most common). */
const CYR_TO_LAT: Readonly<Record<string, readonly string[]>> = {
  а: ['a'], б: ['b'], в: ['v'], г: ['g'], д: ['d'], е: ['e'], ё: ['e', 'yo'], ж: ['zh', 'j'], з: ['z'], и: ['i'], й: ['y', 'i', 'j'],
  к: ['k'], л: ['l'], м: ['m'], н: ['n'], о: ['o'], п: ['p'], р: ['r'], с: ['s'], т: ['t'], у: ['u'], ф: ['f'], х: ['h', 'kh'],
  ц: ['ts', 'c'], ч: ['ch'], ш: ['sh', 's'], щ: ['sch', 'shch'], ъ: [''], ы: ['y', 'i'], ь: ['', "'"], э: ['e'], ю: ['yu', 'ju'], я: ['ya', 'ja'],
};

/** At most this many spellings per word: the schemes multiply. */
const MAX_SPELLINGS = 4;

/**
 * Latin spellings of a lower-case Cyrillic word; [] when it has other
 * letters. Words under four letters get none: their spellings are
 * English words as often as not (гаш → "gash", газ → "gaz"); their
 * inflected forms (мефа, гаша) still get theirs.
 */
export function cyrillicToLatin(word: string): string[] {
  return [...word].length < 4 ? [] : spellCyrillicInLatin(word);
}

function spellCyrillicInLatin(word: string): string[] {
  let out = [''];
  for (const ch of word.toLowerCase()) {
    if (!Object.hasOwn(CYR_TO_LAT, ch)) return [];
    const options = CYR_TO_LAT[ch] as readonly string[];
    const next: string[] = [];
    for (const prefix of out) for (const o of options) if (next.length < MAX_SPELLINGS) next.push(prefix + o);
    out = next;
  }
  return out;
}

/** Latin digraphs first, then single letters: an English word as Russians spell it. */
const LAT_TO_CYR: readonly (readonly [string, readonly string[]])[] = [
  ['sch', ['ш']], ['th', ['т']], ['ph', ['ф']], ['sh', ['ш']], ['ch', ['ч']], ['ck', ['к']], ['ee', ['и']], ['oo', ['у']], ['qu', ['кв']],
  ['a', ['а']], ['b', ['б']], ['c', ['к', 'с']], ['d', ['д']], ['e', ['е', 'э']], ['f', ['ф']], ['g', ['г']], ['h', ['х', 'г']], ['i', ['и']],
  ['j', ['дж']], ['k', ['к']], ['l', ['л']], ['m', ['м']], ['n', ['н']], ['o', ['о']], ['p', ['п']], ['q', ['к']], ['r', ['р']],
  ['s', ['с']], ['t', ['т']], ['u', ['у']], ['v', ['в']], ['w', ['в']], ['x', ['кс']], ['y', ['и', 'й']], ['z', ['з']],
];

/**
 * Cyrillic spellings of a lower-case Latin word; [] when it has other
 * characters. A spelling of three letters or fewer with a vowel is dropped:
 * short Cyrillic words are everyday Russian (weed → "вид", view), while
 * vowel-less ones are abbreviations (lsd → "лсд").
 */
export function latinToCyrillic(word: string): string[] {
  return spellLatinInCyrillic(word).filter((s) => s.length >= 4 || !/[аеёиоуыэюя]/u.test(s));
}

function spellLatinInCyrillic(word: string): string[] {
  const w = word.toLowerCase();
  if (!/^[a-z]+$/.test(w)) return [];
  // A silent final e after a consonant is not written (ketamine → кетамин).
  const body = /[^aeiou]e$/.test(w) && w.length > 3 ? w.slice(0, -1) : w;
  let out = [''];
  for (let i = 0; i < body.length; ) {
    const step = LAT_TO_CYR.find(([lat]) => body.startsWith(lat, i));
    if (!step) return [];
    const next: string[] = [];
    for (const prefix of out) for (const o of step[1]) if (next.length < MAX_SPELLINGS) next.push(prefix + o);
    out = next;
    i += step[0].length;
  }
  return out;
}
