import { CATEGORIES, COUNTRY_CODE_LIST, type Category } from '@takedown/shared';

export const RULE_KINDS = ['term', 'phrase', 'regex', 'sha256', 'pdq'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const RULE_SCOPES = ['query', 'content'] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];

export const RULE_ACTIONS = ['block_query', 'exclude', 'demote', 'flag_for_review', 'auto_remove'] as const;
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** What a `flag_for_review` rule does to the post in search while the case waits for a human. */
export const UNTIL_REVIEWED = ['demote', 'exclude'] as const;
export type UntilReviewed = (typeof UNTIL_REVIEWED)[number];

/**
 * PDQ matching bounds. 31 of 256 bits is the threshold PDQ's authors and
 * hash-sharing programmes use; past ~48 photos that merely share a layout
 * start to match. Below quality 50 a hash is of a near-flat image and
 * matches unrelated ones (PDQ's own guidance).
 */
export const PDQ_DEFAULT_THRESHOLD = 31;
export const PDQ_MAX_THRESHOLD = 48;
export const PDQ_MIN_QUALITY = 50;

/** The hash list a `pdq` rule's hash came from: every hash of one list carries the same. */
export interface HashListRef {
  /** e.g. "ncmec-2026-11". */
  name: string;
  /** Who supplied it, e.g. "NCMEC via HMA", "internal". */
  source: string;
  /** Largest Hamming distance (of 256 bits) that counts as a match; default PDQ_DEFAULT_THRESHOLD. */
  threshold?: number;
}

/** One blocklist entry. Patterns are normalised with the same normaliser as the text they match. */
export interface Rule {
  id: string;
  kind: RuleKind;
  pattern: string;
  category: Category;
  scope: RuleScope[];
  action: RuleAction;
  /** Only match text in these locales (language subtags, e.g. "ru"); absent = all. */
  locales?: string[];
  /**
   * Only act in these countries (ISO 3166-1 alpha-2); absent = everywhere.
   * A query rule acts for callers there; a content rule restricts the post there.
   */
  countries?: string[];
  /** flag_for_review only: demote the post (default) or hide it from search until a moderator decides. */
  untilReviewed?: UntilReviewed;
  /** Stops acting at this instant without a publish. */
  expiresAt?: string;
  /** Default true. */
  enabled?: boolean;
  /** Log and count only; never acts. */
  shadow?: boolean;
  note?: string;
  /** `pdq` only: the list this hash belongs to (name, source, threshold). */
  hashList?: HashListRef;
  /** `pdq` only: the hash's PDQ quality (0–100) as the list gives it; below PDQ_MIN_QUALITY refused. */
  quality?: number;
  createdBy: string;
  createdAt: string;
}

export interface Ruleset {
  version: number;
  rules: Rule[];
  publishedAt: string;
  publishedBy: string;
  /** The emoji table (emoji → word) the normaliser reads; absent: the shipped one (lists/emoji-words.ts). */
  emojiWords?: Record<string, string>;
}

const idPattern = '^[A-Za-z0-9._:-]{1,120}$';

export const ruleSchema = {
  $id: 'takedown/rule',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'pattern', 'category', 'scope', 'action', 'createdBy', 'createdAt'],
  properties: {
    id: { type: 'string', pattern: idPattern },
    kind: { type: 'string', enum: RULE_KINDS },
    pattern: { type: 'string', minLength: 1, maxLength: 500 },
    category: { type: 'string', enum: CATEGORIES },
    scope: { type: 'array', items: { type: 'string', enum: RULE_SCOPES }, minItems: 1, maxItems: 2, uniqueItems: true },
    action: { type: 'string', enum: RULE_ACTIONS },
    locales: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z]{2,3}$' },
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
    },
    // ISO 3166-1 alpha-2, officially assigned only: a rule scoped to "ZZ" would apply nowhere.
    countries: {
      type: 'array',
      items: { type: 'string', enum: COUNTRY_CODE_LIST },
      minItems: 1,
      maxItems: 250,
      uniqueItems: true,
    },
    expiresAt: { type: 'string', format: 'date-time' },
    untilReviewed: { type: 'string', enum: UNTIL_REVIEWED },
    enabled: { type: 'boolean' },
    shadow: { type: 'boolean' },
    note: { type: 'string', maxLength: 2000 },
    hashList: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'source'],
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,50}$' },
        source: { type: 'string', minLength: 1, maxLength: 200 },
        threshold: { type: 'integer', minimum: 0, maximum: PDQ_MAX_THRESHOLD },
      },
    },
    quality: { type: 'integer', minimum: 0, maximum: 100 },
    createdBy: { type: 'string', minLength: 1, maxLength: 200 },
    createdAt: { type: 'string', format: 'date-time' },
  },
  allOf: [
    {
      if: { properties: { kind: { const: 'sha256' } }, required: ['kind'] },
      then: {
        properties: {
          pattern: { type: 'string', pattern: '^[a-fA-F0-9]{64}$' },
          scope: { type: 'array', items: { const: 'content' } },
        },
      },
    },
    {
      // PDQ: 64 hex digits, media only, always from a named list.
      if: { properties: { kind: { const: 'pdq' } }, required: ['kind'] },
      then: {
        required: ['hashList'],
        properties: {
          hashList: true,
          pattern: { type: 'string', pattern: '^[a-fA-F0-9]{64}$' },
          scope: { type: 'array', items: { const: 'content' } },
        },
      },
    },
    {
      // Only a rule that opens a case has a "until reviewed".
      if: { properties: { untilReviewed: true }, required: ['untilReviewed'] },
      then: { properties: { action: { const: 'flag_for_review' } } },
    },
    {
      // Blocking a query only makes sense for rules that look at queries.
      if: { properties: { action: { const: 'block_query' } }, required: ['action'] },
      then: { properties: { scope: { type: 'array', contains: { const: 'query' } } } },
    },
  ],
} as const;

export const rulesetSchema = {
  $id: 'takedown/ruleset',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'rules', 'publishedAt', 'publishedBy'],
  properties: {
    version: { type: 'integer', minimum: 1 },
    rules: { type: 'array', items: { $ref: 'rule' }, maxItems: 200000 },
    publishedAt: { type: 'string', format: 'date-time' },
    publishedBy: { type: 'string', minLength: 1, maxLength: 200 },
    emojiWords: {
      type: 'object',
      maxProperties: 2000,
      propertyNames: { minLength: 1, maxLength: 8 },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 64 },
    },
  },
} as const;
