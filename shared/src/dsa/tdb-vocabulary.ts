/**
 * The EU DSA Transparency Database's statement-of-reasons vocabulary, the
 * keys verbatim as its API takes them (API "v2", in force since 1 July
 * 2025: the 16 categories and the keyword list of the Implementing
 * Regulation on transparency reporting). Legacy v1 keys
 * (STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT,
 * _NON_CONSENSUAL_BEHAVIOUR, _SCOPE_OF_PLATFORM_SERVICE,
 * _UNSAFE_AND_ILLEGAL_PRODUCTS, KEYWORD_DISINFORMATION, ...) are absent on
 * purpose: the database refuses them now.
 */

export const DECISION_VISIBILITIES = [
  'DECISION_VISIBILITY_CONTENT_REMOVED',
  'DECISION_VISIBILITY_CONTENT_DISABLED',
  'DECISION_VISIBILITY_CONTENT_DEMOTED',
  'DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_LABELLED',
  'DECISION_VISIBILITY_OTHER',
] as const;

export const DECISION_MONETARIES = ['DECISION_MONETARY_SUSPENSION', 'DECISION_MONETARY_TERMINATION', 'DECISION_MONETARY_OTHER'] as const;

export const DECISION_PROVISIONS = [
  'DECISION_PROVISION_PARTIAL_SUSPENSION',
  'DECISION_PROVISION_TOTAL_SUSPENSION',
  'DECISION_PROVISION_PARTIAL_TERMINATION',
  'DECISION_PROVISION_TOTAL_TERMINATION',
] as const;

export const DECISION_ACCOUNTS = ['DECISION_ACCOUNT_SUSPENDED', 'DECISION_ACCOUNT_TERMINATED'] as const;

export const ACCOUNT_TYPES = ['ACCOUNT_TYPE_BUSINESS', 'ACCOUNT_TYPE_PRIVATE'] as const;

export const DECISION_GROUNDS = ['DECISION_GROUND_ILLEGAL_CONTENT', 'DECISION_GROUND_INCOMPATIBLE_CONTENT'] as const;
export type DecisionGround = (typeof DECISION_GROUNDS)[number];

export const YES_NO = ['Yes', 'No'] as const;

export const TDB_CONTENT_TYPES = [
  'CONTENT_TYPE_APP',
  'CONTENT_TYPE_AUDIO',
  'CONTENT_TYPE_IMAGE',
  'CONTENT_TYPE_PRODUCT',
  'CONTENT_TYPE_SYNTHETIC_MEDIA',
  'CONTENT_TYPE_TEXT',
  'CONTENT_TYPE_VIDEO',
  'CONTENT_TYPE_OTHER',
] as const;
export type TdbContentType = (typeof TDB_CONTENT_TYPES)[number];

export const SOURCE_TYPES = ['SOURCE_ARTICLE_16', 'SOURCE_TRUSTED_FLAGGER', 'SOURCE_TYPE_OTHER_NOTIFICATION', 'SOURCE_VOLUNTARY'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const AUTOMATED_DECISIONS = ['AUTOMATED_DECISION_FULLY', 'AUTOMATED_DECISION_PARTIALLY', 'AUTOMATED_DECISION_NOT_AUTOMATED'] as const;
export type AutomatedDecision = (typeof AUTOMATED_DECISIONS)[number];

/**
 * The v2 categories, each with the keywords (category_specification) the
 * database's own explanation files under it. The database checks each
 * keyword against the flat list only; Takedown's validator also requires a
 * keyword to belong to the category or an additional category, because a
 * mismatch is always a mapping mistake on our side.
 */
export const CATEGORY_KEYWORDS = {
  STATEMENT_CATEGORY_ANIMAL_WELFARE: ['KEYWORD_ANIMAL_HARM', 'KEYWORD_UNLAWFUL_SALE_ANIMALS'],
  STATEMENT_CATEGORY_CONSUMER_INFORMATION: [
    'KEYWORD_HIDDEN_ADVERTISEMENT',
    'KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS',
    'KEYWORD_MISLEADING_INFO_GOODS_SERVICES',
    'KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS',
    'KEYWORD_NONCOMPLIANCE_PRICING',
  ],
  STATEMENT_CATEGORY_CYBER_VIOLENCE: [
    'KEYWORD_CYBER_BULLYING_INTIMIDATION',
    'KEYWORD_CYBER_HARASSMENT',
    'KEYWORD_CYBER_INCITEMENT',
    'KEYWORD_CYBER_STALKING',
    'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING',
    'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE',
  ],
  STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN: [
    'KEYWORD_BULLYING_AGAINST_GIRLS',
    'KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN',
    'KEYWORD_CYBER_STALKING_AGAINST_WOMEN',
    'KEYWORD_FEMALE_GENDERED_DISINFORMATION',
    'KEYWORD_INCITEMENT_AGAINST_WOMEN',
    'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN',
    'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN',
  ],
  STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS: [
    'KEYWORD_BIOMETRIC_DATA_BREACH',
    'KEYWORD_DATA_FALSIFICATION',
    'KEYWORD_MISSING_PROCESSING_GROUND',
    'KEYWORD_RIGHT_TO_BE_FORGOTTEN',
  ],
  STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH: ['KEYWORD_DEFAMATION', 'KEYWORD_DISCRIMINATION', 'KEYWORD_HATE_SPEECH'],
  STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS: [
    'KEYWORD_COPYRIGHT_INFRINGEMENT',
    'KEYWORD_DESIGN_INFRINGEMENT',
    'KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT',
    'KEYWORD_PATENT_INFRINGEMENT',
    'KEYWORD_TRADE_SECRET_INFRINGEMENT',
    'KEYWORD_TRADEMARK_INFRINGEMENT',
  ],
  STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS: [
    'KEYWORD_MISINFORMATION_DISINFORMATION',
    'KEYWORD_VIOLATION_EU_LAW',
    'KEYWORD_VIOLATION_NATIONAL_LAW',
  ],
  STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE: [],
  STATEMENT_CATEGORY_OTHER_VIOLATION_TC: [
    'KEYWORD_ADULT_SEXUAL_MATERIAL',
    'KEYWORD_AGE_SPECIFIC_RESTRICTIONS',
    'KEYWORD_GEOGRAPHICAL_REQUIREMENTS',
    'KEYWORD_GOODS_SERVICES_NOT_PERMITTED',
    'KEYWORD_LANGUAGE_REQUIREMENTS',
    'KEYWORD_NUDITY',
  ],
  STATEMENT_CATEGORY_PROTECTION_OF_MINORS: [
    'KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS',
    'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL',
    'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE',
    'KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS',
    'KEYWORD_UNSAFE_CHALLENGES',
  ],
  STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY: [
    'KEYWORD_ILLEGAL_ORGANIZATIONS',
    'KEYWORD_RISK_ENVIRONMENTAL_DAMAGE',
    'KEYWORD_RISK_PUBLIC_HEALTH',
    'KEYWORD_TERRORIST_CONTENT',
  ],
  STATEMENT_CATEGORY_SCAMS_AND_FRAUD: [
    'KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING',
    'KEYWORD_INAUTHENTIC_ACCOUNTS',
    'KEYWORD_INAUTHENTIC_LISTINGS',
    'KEYWORD_INAUTHENTIC_USER_REVIEWS',
    'KEYWORD_PHISHING',
    'KEYWORD_PYRAMID_SCHEMES',
  ],
  STATEMENT_CATEGORY_SELF_HARM: ['KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS', 'KEYWORD_SELF_MUTILATION', 'KEYWORD_SUICIDE'],
  STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS: ['KEYWORD_PROHIBITED_PRODUCTS', 'KEYWORD_UNSAFE_PRODUCTS'],
  STATEMENT_CATEGORY_VIOLENCE: [
    'KEYWORD_COORDINATED_HARM',
    'KEYWORD_HUMAN_EXPLOITATION',
    'KEYWORD_HUMAN_TRAFFICKING',
    'KEYWORD_INCITEMENT_VIOLENCE_HATRED',
    'KEYWORD_TRAFFICKING_WOMEN_GIRLS',
  ],
} as const satisfies Record<string, readonly string[]>;

export type StatementCategory = keyof typeof CATEGORY_KEYWORDS;
export const STATEMENT_CATEGORIES = Object.keys(CATEGORY_KEYWORDS) as StatementCategory[];

/** Fits any category ("not captured by any other keyword"); goes with category_specification_other. */
export const KEYWORD_OTHER = 'KEYWORD_OTHER';
/**
 * Still in the database's v2 keyword list but under no category (a v1
 * leftover): accepted by the database, never produced by Takedown.
 */
export const KEYWORD_STALKING = 'KEYWORD_STALKING';

export type Keyword = (typeof CATEGORY_KEYWORDS)[StatementCategory][number] | typeof KEYWORD_OTHER | typeof KEYWORD_STALKING;
export const KEYWORDS: readonly string[] = [...new Set([...Object.values(CATEGORY_KEYWORDS).flat(), KEYWORD_OTHER, KEYWORD_STALKING])];

/** territorial_scope: the EU-27 plus Iceland, Liechtenstein and Norway, ISO 3166-1 alpha-2 (Greece is GR, not EL). */
export const EEA_COUNTRIES = [
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IS', 'IT', 'LI', 'LT', 'LU',
  'LV', 'MT', 'NL', 'NO', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK',
] as const;

/** content_language: the upper-case ISO 639-1 codes the database takes (its EuropeanLanguagesService list: all of ISO 639-1). */
export const TDB_LANGUAGES = [
  'AB', 'AA', 'AF', 'AK', 'SQ', 'AM', 'AR', 'AN', 'HY', 'AS', 'AV', 'AE', 'AY', 'AZ', 'BM', 'BA', 'EU', 'BE', 'BN', 'BH',
  'BI', 'BS', 'BR', 'BG', 'MY', 'CA', 'KM', 'CH', 'CE', 'NY', 'ZH', 'CU', 'CV', 'KW', 'CO', 'CR', 'HR', 'CS', 'DA', 'DV',
  'NL', 'DZ', 'EN', 'EO', 'ET', 'EE', 'FO', 'FJ', 'FI', 'FR', 'FF', 'GD', 'GL', 'LG', 'KA', 'DE', 'KI', 'EL', 'KL', 'GN',
  'GU', 'HT', 'HA', 'HE', 'HZ', 'HI', 'HO', 'HU', 'IS', 'IO', 'IG', 'ID', 'IA', 'IE', 'IU', 'IK', 'GA', 'IT', 'JA', 'JV',
  'KN', 'KR', 'KS', 'KK', 'RW', 'KV', 'KG', 'KO', 'KJ', 'KU', 'KY', 'LO', 'LA', 'LV', 'LB', 'LI', 'LN', 'LT', 'LU', 'MK',
  'MG', 'MS', 'ML', 'MT', 'GV', 'MI', 'MR', 'MH', 'RO', 'MN', 'NA', 'NV', 'ND', 'NG', 'NE', 'SE', 'NO', 'NB', 'NN', 'II',
  'OC', 'OJ', 'OR', 'OM', 'OS', 'PI', 'PA', 'PS', 'FA', 'PL', 'PT', 'QU', 'RM', 'RN', 'RU', 'SM', 'SG', 'SA', 'SC', 'SR',
  'SN', 'SD', 'SI', 'SK', 'SL', 'SO', 'ST', 'NR', 'ES', 'SU', 'SW', 'SS', 'SV', 'TL', 'TY', 'TG', 'TA', 'TT', 'TE', 'TH',
  'BO', 'TI', 'TO', 'TS', 'TN', 'TR', 'TK', 'TW', 'UG', 'UK', 'UR', 'UZ', 'VE', 'VI', 'VO', 'WA', 'CY', 'FY', 'WO', 'XH',
  'YI', 'YO', 'ZA', 'ZU',
] as const;

/** Date bounds the database enforces (inclusive, YYYY-MM-DD). */
export const DATE_BOUNDS = {
  content_date: { min: '2000-01-01', max: '2038-01-01' },
  application_date: { min: '2020-01-01', max: '2038-01-01' },
  end_date: { max: '2038-01-01' },
} as const;

/** Character limits (code points, as the database's mb_strlen counts). */
export const MAX_LENGTHS = {
  decision_visibility_other: 500,
  decision_monetary_other: 500,
  decision_facts: 5000,
  decision_ground_reference_url: 500,
  illegal_content_legal_ground: 500,
  illegal_content_explanation: 2000,
  incompatible_content_ground: 500,
  incompatible_content_explanation: 2000,
  content_type_other: 500,
  category_specification_other: 500,
  source_identity: 500,
  puid: 500,
} as const;

export const END_DATE_FIELDS = [
  'end_date_visibility_restriction',
  'end_date_monetary_restriction',
  'end_date_service_restriction',
  'end_date_account_restriction',
] as const;
