import type { Category } from '@takedown/shared';
import type { Rule, Ruleset } from '../rule';

/**
 * The starter blocklists Takedown ships: drug sales and child-abuse
 * indicators in English, Russian and Arabic. Leads edit them like any other
 * rules; these are a floor, not a finished list.
 *
 * Two tiers, because a query and a post are judged differently:
 *  - `queryOnly` entries (bare names of hard drugs) refuse a search: on a
 *    messenger's public search they surface dealers, and the platform shows
 *    a help notice instead. In a post they mean nothing alone (news, health
 *    talk), so they never flag content.
 *  - the rest (sale intent, vendor slang, abuse indicators) refuse the
 *    search, hide matching posts from search at once, and open a case so a
 *    moderator confirms the removal (or keeps the post, which shows it again).
 *    Hiding rather than demoting: a demoted sale offer is still one scroll
 *    away, and these phrases do not occur in benign posts (measured on the
 *    benign corpus by shipped-lists.test.ts).
 * Patterns are written plainly; the normaliser handles the evasive
 * spellings (leet, lookalikes, spacing, emoji).
 */
export interface ListEntry {
  pattern: string;
  category: Category;
  locale: 'en' | 'ru' | 'ar';
  queryOnly?: boolean;
  note?: string;
}

const drugNamesEn = [
  'cocaine', 'heroin', 'fentanyl', 'carfentanil', 'methamphetamine', 'meth', 'mdma', 'ecstasy', 'ketamine', 'lsd',
  'xanax', 'oxycodone', 'oxycontin', 'percocet', 'mephedrone', 'crack cocaine', 'ghb', 'amphetamine', 'alprazolam',
];
/** Drugs as vendors name them in offers; combined with the sale frames below. */
const saleDrugsEn = [
  'cocaine', 'coke', 'heroin', 'fentanyl', 'meth', 'crystal meth', 'mdma', 'molly', 'ecstasy', 'ketamine', 'xanax',
  'xanax bars', 'oxy', 'percs', 'lsd', 'weed', 'shrooms', 'mephedrone', 'ghb', 'adderall',
];
const saleFramesEn = ['buy {d}', 'selling {d}', '{d} for sale', '{d} delivery', '{d} available', '{d} plug', 'top quality {d}', 'need {d}'];
const slangEn = ['m30 pills', 'pressed pills', 'percs 30', 'blues m30', 'dm for menu', 'plug here', 'snowman delivery'];

const drugNamesRu = ['мефедрон', 'кокаин', 'героин', 'гашиш', 'амфетамин', 'экстази', 'фентанил', 'метамфетамин', 'альфа пвп'];
// Not "соль" (salt) alone: "купить соль" is a grocery list. Street names
// that are everyday words appear only in phrases that cannot be innocent.
const saleDrugsRu = ['мефедрон', 'меф', 'кокаин', 'героин', 'гашиш', 'гаш', 'амфетамин', 'экстази', 'шишки', 'альфа пвп'];
/** "есть X" is also "to eat X": only with names nobody eats innocently (not шишки, cones). */
const haveDrugsRu = ['мефедрон', 'меф', 'кокаин', 'героин', 'гашиш', 'гаш', 'амфетамин', 'экстази', 'альфа пвп', 'соль альфа'];
const saleFramesRu = ['купить {d}', 'продам {d}', '{d} оптом', '{d} в наличии', '{d} закладки', 'закладки {d}', 'качественный {d}'];
const slangRu = ['закладки по городу', 'клад за 30 минут', 'соль альфа', 'меф оптом'];

const drugNamesAr = ['كبتاجون', 'كوكايين', 'هيروين', 'شبو', 'حشيش', 'ميثامفيتامين'];
const saleDrugsAr = ['كبتاجون', 'كوكايين', 'هيروين', 'شبو', 'حشيش', 'ترامادول', 'ليريكا'];
const saleFramesAr = ['للبيع {d}', '{d} للبيع', 'متوفر {d}', 'توصيل {d}', 'حبوب {d}', 'زبائن {d}', '{d} جودة عالية'];

/** Indicator terms documented in child-protection research and hotline guidance. */
const abuseEn = [
  'pthc', 'ptsc', 'hussyfan', 'r@ygold', 'qqaazz', 'child porn', 'kiddie porn', 'kiddy porn', 'preteen porn',
  'cp links', 'cp trade', 'selling cp', 'jailbait pics', 'pedo links',
];
const abuseRu = ['детское порно', 'цп ссылки', 'продам цп', 'малолетки фото'];
const abuseAr = ['إباحية الأطفال', 'اباحية اطفال'];

function frames(drugs: string[], templates: string[], locale: ListEntry['locale']): ListEntry[] {
  return drugs.flatMap((d) => templates.map((t) => ({ pattern: t.replace('{d}', d), category: 'drugs' as const, locale })));
}

/** Every shipped entry, deduplicated by (locale, pattern). */
export const SHIPPED_LIST_ENTRIES: readonly ListEntry[] = dedupe([
  ...drugNamesEn.map((pattern) => ({ pattern, category: 'drugs' as const, locale: 'en' as const, queryOnly: true })),
  ...frames(saleDrugsEn, saleFramesEn, 'en'),
  ...slangEn.map((pattern) => ({ pattern, category: 'drugs' as const, locale: 'en' as const })),
  ...drugNamesRu.map((pattern) => ({ pattern, category: 'drugs' as const, locale: 'ru' as const, queryOnly: true })),
  ...frames(saleDrugsRu, saleFramesRu, 'ru'),
  ...frames(haveDrugsRu, ['есть {d}'], 'ru'),
  ...slangRu.map((pattern) => ({ pattern, category: 'drugs' as const, locale: 'ru' as const })),
  ...drugNamesAr.map((pattern) => ({ pattern, category: 'drugs' as const, locale: 'ar' as const, queryOnly: true })),
  ...frames(saleDrugsAr, saleFramesAr, 'ar'),
  ...abuseEn.map((pattern) => ({ pattern, category: 'csam' as const, locale: 'en' as const })),
  ...abuseRu.map((pattern) => ({ pattern, category: 'csam' as const, locale: 'ru' as const })),
  ...abuseAr.map((pattern) => ({ pattern, category: 'csam' as const, locale: 'ar' as const })),
]);

function dedupe(entries: ListEntry[]): ListEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = `${e.locale}\u0000${e.pattern}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The shipped entries as rules: each entry refuses searches (`.q`, action
 * `block_query`), and unless it is query-only also flags posts for review,
 * hidden until a moderator decides (`.c`, action `flag_for_review`,
 * `untilReviewed: exclude`). Rules carry no `locales`: evasive
 * spellings cross scripts, and a query's language is often unknown.
 */
export function shippedRules(createdAt: string, createdBy = 'takedown'): Rule[] {
  const rules: Rule[] = [];
  SHIPPED_LIST_ENTRIES.forEach((e, i) => {
    const base = `shipped.${e.category}.${e.locale}.${String(i).padStart(3, '0')}`;
    const kind = e.pattern.includes(' ') ? 'phrase' : 'term';
    const common = { kind, pattern: e.pattern, category: e.category, createdBy, createdAt } as const;
    rules.push({ ...common, id: `${base}.q`, scope: ['query'], action: 'block_query' });
    if (!e.queryOnly) rules.push({ ...common, id: `${base}.c`, scope: ['content'], action: 'flag_for_review', untilReviewed: 'exclude' });
  });
  return rules;
}

/** A first published ruleset built from the shipped lists (version 1), for new installs and demos. */
export function shippedRuleset(publishedAt: string, publishedBy = 'takedown'): Ruleset {
  return { version: 1, rules: shippedRules(publishedAt, publishedBy), publishedAt, publishedBy };
}
