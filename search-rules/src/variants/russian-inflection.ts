/**
 * Russian inflection for pattern words: a stem and the ending set its
 * word class takes, so "купить кокаин" also matches "куплю кокаина". The
 * classes are guessed from the dictionary form's ending; it is a small
 * rule set aimed at the nouns, adjectives and verbs blocklists carry, not
 * a full morphology. Forms are generated for pattern words only (the text
 * is never stemmed), so a benign word matches only when it is an actual
 * form of a listed word.
 */

const CONSONANT = /[бвгджзклмнпрстфхцчшщ]$/u;
const SIBILANT = /[жшчщц]$/u;
const VOWEL = /[аеёиоуыэюя]/u;

const MASC_HARD = ['а', 'у', 'ом', 'е', 'ы', 'ов', 'ам', 'ами', 'ах'];
const MASC_SIBILANT = ['а', 'у', 'ем', 'ом', 'е', 'и', 'ей', 'ам', 'ами', 'ах'];
const FEM_A = ['ы', 'и', 'е', 'у', 'ой', 'ою', 'ам', 'ами', 'ах'];
const SOFT_SIGN = ['и', 'ю', 'ью', 'ей', 'ям', 'ями', 'ях', 'я', 'е', 'ем'];
const PLURAL = ['ов', 'ам', 'ами', 'ах', 'а', 'у', 'ой', 'е'];
const ADJECTIVE = ['ый', 'ий', 'ой', 'ая', 'яя', 'ое', 'ее', 'ые', 'ие', 'ого', 'его', 'ому', 'ему', 'ым', 'им', 'ом', 'ем', 'ую', 'юю', 'ых', 'их', 'ыми', 'ими'];
/** Second-conjugation verbs (-ить): present, imperative and past endings. */
const VERB_IT = ['ить', 'ю', 'лю', 'ишь', 'ит', 'им', 'ите', 'ят', 'и', 'ил', 'ила', 'или', 'ило', 'ите'];
const VERB_AT = ['ать', 'аю', 'аешь', 'ает', 'аем', 'аете', 'ают', 'ай', 'айте', 'ал', 'ала', 'али'];
/** The irregular дать family (продам, продать, раздам). */
const DAT = ['дам', 'дать', 'даю', 'даёшь', 'даешь', 'даёт', 'дает', 'даём', 'даем', 'дают', 'дай', 'дайте', 'дал', 'дала', 'дали', 'дашь', 'даст', 'дадим', 'дадите', 'дадут', 'дажа', 'дажи', 'дажу'];

/**
 * Forms the rules cannot derive: the aspect partner and the noun of the
 * sale verbs blocklists are built on (купить / покупать, покупка).
 */
const SUPPLETIVE: Readonly<Record<string, readonly string[]>> = {
  купить: ['покупать', 'покупаю', 'покупаем', 'покупает', 'покупают', 'покупай', 'покупка', 'покупку', 'покупки'],
  продать: ['продажа', 'продажу', 'продажи'],
};

/** Whether `word` is lower-case Cyrillic only. */
function isCyrillicWord(word: string): boolean {
  return /^[а-яё]+$/u.test(word);
}

/**
 * Inflected forms of a Russian dictionary word (lower-case Cyrillic; the
 * caller normalises them). Words without a vowel (abbreviations: цп, пвп)
 * and words of two letters get none.
 */
export function russianForms(input: string): string[] {
  const word = input.toLowerCase().replace(/ё/g, 'е');
  if (!isCyrillicWord(word) || word.length < 3 || !VOWEL.test(word)) return [];
  const with_ = (stem: string, endings: readonly string[]) => endings.map((e) => stem + e);
  if (Object.hasOwn(SUPPLETIVE, word)) return [...(SUPPLETIVE[word] as readonly string[]), ...russianFormsByClass(word, with_)];
  return russianFormsByClass(word, with_);
}

function russianFormsByClass(word: string, with_: (stem: string, endings: readonly string[]) => string[]): string[] {
  const dat = word.search(/да(м|ть)$/u);
  if (dat > 0) return with_(word.slice(0, dat), DAT);
  if (word.endsWith('ить') && word.length > 4) {
    const stem = word.slice(0, -3);
    // Labial stems take an epenthetic л in the first person (купить → куплю).
    return with_(stem, VERB_IT.filter((e) => e !== 'лю' || /[бпвфм]$/u.test(stem)));
  }
  if (word.endsWith('ать') && word.length > 4) return with_(word.slice(0, -3), VERB_AT);
  if (/(ый|ий|ой)$/u.test(word) && word.length > 5) return with_(word.slice(0, -2), ADJECTIVE);
  if (/[кгх]и$/u.test(word) || word.endsWith('ы')) {
    const stem = word.slice(0, -1);
    // Genitive plural drops the ending and may insert a fleeting vowel (шишки → шишек, закладки → закладок).
    const fleeting = /[кгх]$/u.test(stem) ? [`${stem.slice(0, -1)}е${stem.slice(-1)}`, `${stem.slice(0, -1)}о${stem.slice(-1)}`] : [stem];
    return [...with_(stem, PLURAL), ...fleeting];
  }
  if (word.endsWith('а') || word.endsWith('я')) return with_(word.slice(0, -1), FEM_A);
  if (word.endsWith('ь')) return with_(word.slice(0, -1), SOFT_SIGN);
  if (CONSONANT.test(word)) return with_(word, SIBILANT.test(word) ? MASC_SIBILANT : MASC_HARD);
  // Ends in another vowel (экстази, кофе): indeclinable.
  return [];
}
