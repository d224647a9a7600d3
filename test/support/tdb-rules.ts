/**
 * The EU DSA Transparency Database's validation rules for one statement, as
 * its Laravel rule table states them (GroupedSubmissionsService::multi_rules,
 * API v2 enums of July 2025), written from the database's published rules
 * for the stand-in server. Deliberately NOT built from Takedown's own
 * validator (shared/src/dsa): a test where both sides share one rule set
 * would prove nothing.
 */

const VISIBILITIES = [
  'DECISION_VISIBILITY_CONTENT_REMOVED',
  'DECISION_VISIBILITY_CONTENT_DISABLED',
  'DECISION_VISIBILITY_CONTENT_DEMOTED',
  'DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_LABELLED',
  'DECISION_VISIBILITY_OTHER',
];
const MONETARIES = ['DECISION_MONETARY_SUSPENSION', 'DECISION_MONETARY_TERMINATION', 'DECISION_MONETARY_OTHER'];
const PROVISIONS = ['DECISION_PROVISION_PARTIAL_SUSPENSION', 'DECISION_PROVISION_TOTAL_SUSPENSION', 'DECISION_PROVISION_PARTIAL_TERMINATION', 'DECISION_PROVISION_TOTAL_TERMINATION'];
const ACCOUNTS = ['DECISION_ACCOUNT_SUSPENDED', 'DECISION_ACCOUNT_TERMINATED'];
const ACCOUNT_TYPES = ['ACCOUNT_TYPE_BUSINESS', 'ACCOUNT_TYPE_PRIVATE'];
const GROUNDS = ['DECISION_GROUND_ILLEGAL_CONTENT', 'DECISION_GROUND_INCOMPATIBLE_CONTENT'];
const YES_NO = ['Yes', 'No'];
const CONTENT_TYPES = ['CONTENT_TYPE_APP', 'CONTENT_TYPE_AUDIO', 'CONTENT_TYPE_IMAGE', 'CONTENT_TYPE_PRODUCT', 'CONTENT_TYPE_SYNTHETIC_MEDIA', 'CONTENT_TYPE_TEXT', 'CONTENT_TYPE_VIDEO', 'CONTENT_TYPE_OTHER'];
const SOURCE_TYPES = ['SOURCE_ARTICLE_16', 'SOURCE_TRUSTED_FLAGGER', 'SOURCE_TYPE_OTHER_NOTIFICATION', 'SOURCE_VOLUNTARY'];
const AUTOMATED_DECISIONS = ['AUTOMATED_DECISION_FULLY', 'AUTOMATED_DECISION_PARTIALLY', 'AUTOMATED_DECISION_NOT_AUTOMATED'];
const CATEGORIES = [
  'STATEMENT_CATEGORY_ANIMAL_WELFARE',
  'STATEMENT_CATEGORY_CONSUMER_INFORMATION',
  'STATEMENT_CATEGORY_CYBER_VIOLENCE',
  'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN',
  'STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS',
  'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH',
  'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS',
  'STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS',
  'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE',
  'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  'STATEMENT_CATEGORY_PROTECTION_OF_MINORS',
  'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY',
  'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
  'STATEMENT_CATEGORY_SELF_HARM',
  'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
  'STATEMENT_CATEGORY_VIOLENCE',
];
const KEYWORDS = [
  'KEYWORD_ANIMAL_HARM', 'KEYWORD_UNLAWFUL_SALE_ANIMALS',
  'KEYWORD_HIDDEN_ADVERTISEMENT', 'KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS', 'KEYWORD_MISLEADING_INFO_GOODS_SERVICES', 'KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS', 'KEYWORD_NONCOMPLIANCE_PRICING',
  'KEYWORD_CYBER_BULLYING_INTIMIDATION', 'KEYWORD_CYBER_HARASSMENT', 'KEYWORD_CYBER_INCITEMENT', 'KEYWORD_CYBER_STALKING', 'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING', 'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE',
  'KEYWORD_BULLYING_AGAINST_GIRLS', 'KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN', 'KEYWORD_CYBER_STALKING_AGAINST_WOMEN', 'KEYWORD_FEMALE_GENDERED_DISINFORMATION', 'KEYWORD_INCITEMENT_AGAINST_WOMEN', 'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN', 'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN',
  'KEYWORD_BIOMETRIC_DATA_BREACH', 'KEYWORD_DATA_FALSIFICATION', 'KEYWORD_MISSING_PROCESSING_GROUND', 'KEYWORD_RIGHT_TO_BE_FORGOTTEN',
  'KEYWORD_DEFAMATION', 'KEYWORD_DISCRIMINATION', 'KEYWORD_HATE_SPEECH',
  'KEYWORD_COPYRIGHT_INFRINGEMENT', 'KEYWORD_DESIGN_INFRINGEMENT', 'KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT', 'KEYWORD_PATENT_INFRINGEMENT', 'KEYWORD_TRADE_SECRET_INFRINGEMENT', 'KEYWORD_TRADEMARK_INFRINGEMENT',
  'KEYWORD_MISINFORMATION_DISINFORMATION', 'KEYWORD_VIOLATION_EU_LAW', 'KEYWORD_VIOLATION_NATIONAL_LAW',
  'KEYWORD_ADULT_SEXUAL_MATERIAL', 'KEYWORD_AGE_SPECIFIC_RESTRICTIONS', 'KEYWORD_GEOGRAPHICAL_REQUIREMENTS', 'KEYWORD_GOODS_SERVICES_NOT_PERMITTED', 'KEYWORD_LANGUAGE_REQUIREMENTS', 'KEYWORD_NUDITY',
  'KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS', 'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL', 'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE', 'KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS', 'KEYWORD_UNSAFE_CHALLENGES',
  'KEYWORD_ILLEGAL_ORGANIZATIONS', 'KEYWORD_RISK_ENVIRONMENTAL_DAMAGE', 'KEYWORD_RISK_PUBLIC_HEALTH', 'KEYWORD_TERRORIST_CONTENT',
  'KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING', 'KEYWORD_INAUTHENTIC_ACCOUNTS', 'KEYWORD_INAUTHENTIC_LISTINGS', 'KEYWORD_INAUTHENTIC_USER_REVIEWS', 'KEYWORD_PHISHING', 'KEYWORD_PYRAMID_SCHEMES',
  'KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS', 'KEYWORD_SELF_MUTILATION', 'KEYWORD_SUICIDE',
  'KEYWORD_PROHIBITED_PRODUCTS', 'KEYWORD_UNSAFE_PRODUCTS',
  'KEYWORD_COORDINATED_HARM', 'KEYWORD_HUMAN_EXPLOITATION', 'KEYWORD_HUMAN_TRAFFICKING', 'KEYWORD_INCITEMENT_VIOLENCE_HATRED', 'KEYWORD_TRAFFICKING_WOMEN_GIRLS',
  'KEYWORD_STALKING', 'KEYWORD_OTHER',
];
// EuropeanCountriesService::EUROPEAN_COUNTRY_CODES: EU-27 and IS, LI, NO; Greece is GR.
const COUNTRIES = 'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK'.split(' ');
// EuropeanLanguagesService::ALL_LANGUAGES keys: upper-case ISO 639-1 (`in:` is case-sensitive).
const LANGUAGES = (
  'AB AA AF AK SQ AM AR AN HY AS AV AE AY AZ BM BA EU BE BN BH BI BS BR BG MY CA KM CH CE NY ZH CU CV KW CO CR HR CS DA DV NL DZ EN EO ET EE FO FJ FI FR FF GD GL LG KA DE KI EL KL GN GU HT HA HE HZ HI HO HU IS IO IG ID IA IE IU IK GA IT JA JV KN KR KS KK RW KV KG KO KJ KU KY LO LA LV LB LI LN LT LU MK MG MS ML MT GV MI MR MH RO MN NA NV ND NG NE SE NO NB NN II OC OJ OR OM OS PI PA PS FA PL PT QU RM RN RU SM SG SA SC SR SN SD SI SK SL SO ST NR ES SU SW SS SV TL TY TG TA TT TE TH BO TI TO TS TN TR TK TW UG UK UR UZ VE VI VO WA CY FY WO XH YI YO ZA ZU'
).split(' ');

/** One Laravel rule: `null` passes, a string is the error message (the attribute already in it). */
type Rule = (value: unknown, item: Record<string, unknown>, attr: string) => string | null;

const present = (v: unknown) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
const label = (attr: string) => attr.replace(/_/g, ' ');

/** The rules that run on an absent value too (Laravel's implicit rules). */
const IMPLICIT = new WeakSet<Rule>();
const implicit = (r: Rule): Rule => {
  IMPLICIT.add(r);
  return r;
};
const required: Rule = implicit((v, _i, a) => (present(v) ? null : `The ${label(a)} field is required.`));
const requiredWithoutAll = (others: string[]): Rule =>
  implicit((v, item, a) => (present(v) || others.some((o) => present(item[o])) ? null : `The ${label(a)} field is required when none of ${others.map(label).join(' / ')} are present.`));
const requiredIf = (other: string, value: string, message?: string): Rule =>
  implicit((v, item, a) => (item[other] !== value || present(v) ? null : (message ?? `The ${label(a)} field is required when ${label(other)} is ${value}.`)));
const requiredIfContains = (other: string, value: string, message?: string): Rule =>
  implicit((v, item, a) => {
    const o = item[other];
    return !Array.isArray(o) || !o.includes(value) || present(v) ? null : (message ?? `The ${label(a)} field is required when ${label(other)} contains ${value}.`);
  });
const string: Rule = (v, _i, a) => (typeof v === 'string' ? null : `The ${label(a)} field must be a string.`);
const array: Rule = (v, _i, a) => (Array.isArray(v) ? null : `The ${label(a)} field must be an array.`);
const max = (n: number): Rule => (v, _i, a) => (typeof v === 'string' && [...v].length > n ? `The ${label(a)} field must not be greater than ${n} characters.` : null);
// `in:` on an array checks every element; optional enums (`rule_in($x, true)`) also take the string "null".
const inList = (list: readonly string[], nullable = false): Rule => (v, _i, a) => {
  const ok = (x: unknown) => typeof x === 'string' && (list.includes(x) || (nullable && x === 'null'));
  return (Array.isArray(v) ? v.every(ok) : ok(v)) ? null : `The selected ${label(a)} is invalid.`;
};
const regex = (re: RegExp): Rule => (v, _i, a) => (typeof v === 'string' && re.test(v) ? null : `The ${label(a)} field format is invalid.`);
const dateYmd = (message: string, min?: string, maxDate?: string): Rule => (v, _i, a) => {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) return message;
  if (min && v < min) return `The ${label(a)} field must be a date after or equal to ${min}.`;
  if (maxDate && v > maxDate) return `The ${label(a)} field must be a date before or equal to ${maxDate}.`;
  return null;
};
const url: Rule = (v, _i, a) => {
  try {
    const u = new URL(String(v));
    return u.protocol === 'http:' || u.protocol === 'https:' ? null : `The ${label(a)} field must be a valid URL.`;
  } catch {
    return `The ${label(a)} field must be a valid URL.`;
  }
};
const contentId: Rule = (v, _i, a) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `The ${label(a)} field must be an array.`;
  const entries = Object.entries(v);
  return entries.every(([k, x]) => k === 'EAN-13' && typeof x === 'string' && /^[0-9]{13}$/.test(x)) ? null : `The ${label(a)} field is invalid.`;
};

interface FieldRules {
  rules: Rule[];
  /** Laravel `nullable` (documents the table: a null value skips every rule but the required family, as an absent one does). */
  nullable?: boolean;
  /** `exclude_unless` / sanitising: the value is dropped (never refused) unless this holds. */
  keepIf?: (item: Record<string, unknown>) => boolean;
}

const isIllegal = (i: Record<string, unknown>) => i['decision_ground'] === 'DECISION_GROUND_ILLEGAL_CONTENT';
const isIncompatible = (i: Record<string, unknown>) => i['decision_ground'] === 'DECISION_GROUND_INCOMPATIBLE_CONTENT';
const contains = (field: string, value: string) => (i: Record<string, unknown>) => Array.isArray(i[field]) && (i[field] as unknown[]).includes(value);
const endDate = (what: string): FieldRules => ({ nullable: true, rules: [dateYmd(`The end date of ${what} restriction does not match the format YYYY-MM-DD.`, undefined, '2038-01-01')] });

/** The rule table, field by field: only these keys are kept, others are ignored. */
export const TDB_RULES: Readonly<Record<string, FieldRules>> = {
  decision_visibility: { nullable: true, rules: [requiredWithoutAll(['decision_monetary', 'decision_provision', 'decision_account']), array, inList(VISIBILITIES, true)] },
  decision_visibility_other: { keepIf: contains('decision_visibility', 'DECISION_VISIBILITY_OTHER'), rules: [requiredIfContains('decision_visibility', 'DECISION_VISIBILITY_OTHER'), string, max(500)] },
  decision_monetary: { nullable: true, rules: [requiredWithoutAll(['decision_visibility', 'decision_provision', 'decision_account']), inList(MONETARIES, true)] },
  decision_monetary_other: {
    keepIf: (i) => i['decision_monetary'] === 'DECISION_MONETARY_OTHER',
    rules: [requiredIf('decision_monetary', 'DECISION_MONETARY_OTHER', 'The decision monetary other field is required when decision monetary is other.'), string, max(500)],
  },
  decision_provision: { nullable: true, rules: [requiredWithoutAll(['decision_visibility', 'decision_monetary', 'decision_account']), inList(PROVISIONS, true)] },
  decision_account: { nullable: true, rules: [requiredWithoutAll(['decision_visibility', 'decision_monetary', 'decision_provision']), inList(ACCOUNTS, true)] },
  account_type: { nullable: true, rules: [inList(ACCOUNT_TYPES, true)] },
  decision_facts: { rules: [required, string, max(5000)] },
  decision_ground: { rules: [required, inList(GROUNDS)] },
  decision_ground_reference_url: { nullable: true, rules: [url, max(500)] },
  illegal_content_legal_ground: {
    keepIf: isIllegal,
    rules: [requiredIf('decision_ground', 'DECISION_GROUND_ILLEGAL_CONTENT', 'The illegal content legal ground field is required when decision ground is illegal content.'), string, max(500)],
  },
  illegal_content_explanation: {
    keepIf: isIllegal,
    rules: [requiredIf('decision_ground', 'DECISION_GROUND_ILLEGAL_CONTENT', 'The illegal content explanation field is required when decision ground is illegal content.'), string, max(2000)],
  },
  incompatible_content_ground: {
    keepIf: isIncompatible,
    rules: [requiredIf('decision_ground', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'The incompatible content ground field is required when decision ground is incompatible content.'), string, max(500)],
  },
  incompatible_content_explanation: {
    keepIf: isIncompatible,
    rules: [requiredIf('decision_ground', 'DECISION_GROUND_INCOMPATIBLE_CONTENT', 'The incompatible content explanation field is required when decision ground is incompatible content.'), string, max(2000)],
  },
  incompatible_content_illegal: { keepIf: isIncompatible, nullable: true, rules: [inList(YES_NO)] },
  content_type: { rules: [required, array, inList(CONTENT_TYPES)] },
  content_type_other: {
    keepIf: contains('content_type', 'CONTENT_TYPE_OTHER'),
    rules: [requiredIfContains('content_type', 'CONTENT_TYPE_OTHER', 'The content type other field is required when content is other.'), string, max(500)],
  },
  category: { rules: [required, inList(CATEGORIES)] },
  category_addition: { nullable: true, rules: [array, inList(CATEGORIES)] },
  category_specification: { nullable: true, rules: [array, inList(KEYWORDS)] },
  category_specification_other: { keepIf: contains('category_specification', 'KEYWORD_OTHER'), nullable: true, rules: [string, max(500)] },
  content_id: { nullable: true, rules: [contentId] },
  territorial_scope: { nullable: true, rules: [array, inList(COUNTRIES)] },
  content_language: { nullable: true, rules: [inList(LANGUAGES, true)] },
  content_date: { rules: [required, dateYmd('The content date does not match the format YYYY-MM-DD.', '2000-01-01', '2038-01-01')] },
  application_date: { rules: [required, dateYmd('The application date does not match the format YYYY-MM-DD.', '2020-01-01', '2038-01-01')] },
  end_date_visibility_restriction: endDate('visibility'),
  end_date_monetary_restriction: endDate('monetary'),
  end_date_service_restriction: endDate('service'),
  end_date_account_restriction: endDate('account'),
  source_type: { rules: [required, inList(SOURCE_TYPES)] },
  source_identity: { keepIf: (i) => i['source_type'] !== 'SOURCE_VOLUNTARY', nullable: true, rules: [string, max(500)] },
  automated_detection: { rules: [required, inList(YES_NO)] },
  automated_decision: { rules: [required, inList(AUTOMATED_DECISIONS)] },
  puid: { rules: [required, string, max(500), regex(/^[a-zA-Z0-9\-_]+$/)] },
};

/**
 * Validates one statement as the database does: the errors by field (every
 * failing rule's message, as Laravel collects them) and, when there are
 * none, the statement as it would be stored (known keys only, excluded ones dropped).
 */
export function validateTdbStatement(item: unknown): { errors: Record<string, string[]>; kept: Record<string, unknown> } {
  const errors: Record<string, string[]> = {};
  const kept: Record<string, unknown> = {};
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return { errors: { statement: ['The statement must be an object.'] }, kept };
  const s = item as Record<string, unknown>;
  for (const field of Object.keys(TDB_RULES)) {
    const def = TDB_RULES[field] as FieldRules;
    if (def.keepIf && !def.keepIf(s)) continue;
    const value = Object.hasOwn(s, field) ? s[field] : undefined;
    const messages: string[] = [];
    // Laravel: the required family runs on an absent value; every other rule only on a present one (an empty string counts as null).
    for (const rule of def.rules) {
      if (!IMPLICIT.has(rule) && !present(value)) continue;
      const m = rule(value, s, field);
      if (m) messages.push(m);
    }
    if (messages.length > 0) errors[field] = messages;
    else if (value !== undefined) kept[field] = value;
  }
  return { errors, kept };
}
