/**
 * Character folding tables for the normaliser. Applied to patterns and text
 * alike, so both meet in the same "skeleton" form; they are for matching,
 * never for display.
 */

/**
 * Lookalike letters folded to one Latin skeleton (a curated subset of the
 * Unicode TR39 confusables for Cyrillic, Greek and Latin extensions). Keys
 * are lower-case: case folding runs first.
 */
export const CONFUSABLES: Readonly<Record<string, string>> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', з: '3', и: 'u', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n', р: 'p', с: 'c', т: 't',
  у: 'y', х: 'x', ь: 'b', ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', ԛ: 'q', ԝ: 'w', ѵ: 'v', һ: 'h', ү: 'y',
  // Greek
  α: 'a', β: 'b', γ: 'y', ε: 'e', ζ: 'z', η: 'n', ι: 'i', κ: 'k', μ: 'u', ν: 'v', ο: 'o', ρ: 'p', σ: 'o', ς: 'c',
  τ: 't', υ: 'u', χ: 'x', ω: 'w', ϲ: 'c', ϳ: 'j',
  // Latin extensions and IPA letters that pass for plain ones
  ı: 'i', ɩ: 'i', ɑ: 'a', ɡ: 'g', ɔ: 'c', ȷ: 'j', ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ħ: 'h', ŧ: 't',
  // Small capitals (NFKC leaves them alone): "ᴄᴏᴄᴀɪɴᴇ".
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ᴍ: 'm', ɴ: 'n', ᴏ: 'o',
  ᴘ: 'p', ǫ: 'q', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
  // One vertical stroke: l, I, 1 and | stand for each other inside words
  // ("fentanyI", "coca|ne"), so they share one skeleton letter, i.
  l: 'i', ʟ: 'i', ǀ: 'i', ł: 'i', ӏ: 'i', '\u217C': 'i',
};

/** First regional-indicator letter (🇦): U+1F1E6..U+1F1FF spell a..z ("🇨🇴🇨🇦🇮🇳🇪"). */
export const REGIONAL_INDICATOR_A = 0x1f1e6;

/**
 * Arabic letter variants folded to their base letter. Hamza and madda
 * carriers (أ إ آ ؤ ئ) need no entry: NFD splits off the mark, which is
 * then dropped with the other diacritics.
 */
export const ARABIC_FOLDS: Readonly<Record<string, string>> = {
  '\u0671': '\u0627', // alef wasla → alef
  '\u0672': '\u0627',
  '\u0673': '\u0627',
  '\u0649': '\u064A', // alef maksura → yeh
  '\u06CC': '\u064A', // farsi yeh → yeh
  '\u06D2': '\u064A', // yeh barree → yeh
  '\u06A9': '\u0643', // keheh → kaf
  '\u06AA': '\u0643', // swash kaf → kaf
  '\u0629': '\u0647', // teh marbuta → heh
  '\u06C0': '\u0647', // heh with yeh above (ۀ) → heh (NFD makes it ە + hamza, next line)
  '\u06D5': '\u0647', // ae (ە) → heh
  '\u06C1': '\u0647', // Urdu heh goal → heh
  '\u06BE': '\u0647', // Urdu heh doachashmee → heh
  '\u06D0': '\u064A', // Pashto/Uyghur yeh → yeh
  '\u06CD': '\u064A',
};

/**
 * Characters dropped outright: Arabic tatweel (a stretch, no letter) and
 * the bare hamza (ء, ٴ), which writers add, drop or seat on a carrier at
 * will; the seated forms (أ ؤ ئ) already lose it with the other marks.
 */
export const DROPPED = new Set(['\u0640', '\u0621', '\u0674']);

/**
 * Leet substitutions, applied only inside tokens that also contain a letter,
 * so "c0caine" folds to "cocaine" while "10 pills" keeps its number.
 */
export const LEET: Readonly<Record<string, string>> = {
  '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '6': 'g', '7': 't', '8': 'b', '9': 'g',
  '@': 'a', $: 's', '!': 'i', '|': 'i', '€': 'e', '£': 'i',
};

/** The shipped emoji table (data in lists/emoji-words.ts), used when a ruleset carries none. */
export { SHIPPED_EMOJI_WORDS as DEFAULT_EMOJI_WORDS } from './lists/emoji-words';
