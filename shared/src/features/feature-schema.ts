import { ACCOUNT_STANDINGS, PLATFORMS, type Feature } from '@takedown/features';
import { COUNTRY_CODE_LIST } from '../domain/countries';
import { ValidationError } from '../errors/takedown-error';
import { compileValidator } from '../validation/validator';

/** A feature key: a slug (people_nearby, telegraph_media_upload). */
export const FEATURE_KEY_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
/** A field an enforcement gates: a dotted Elasticsearch field path, no wildcards. */
export const GEO_FIELD_PATTERN = '^[A-Za-z_@][A-Za-z0-9_@-]{0,99}(\\.[A-Za-z_@][A-Za-z0-9_@-]{0,99}){0,7}$';
const RULE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

const ruleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'state', 'reason', 'legalBasis'],
  properties: {
    id: { type: 'string', pattern: RULE_ID_PATTERN },
    countries: { type: 'array', minItems: 1, maxItems: COUNTRY_CODE_LIST.length, uniqueItems: true, items: { type: 'string', enum: COUNTRY_CODE_LIST } },
    platforms: { type: 'array', minItems: 1, maxItems: PLATFORMS.length, uniqueItems: true, items: { type: 'string', enum: PLATFORMS } },
    accountAgeDaysAtLeast: { type: 'integer', minimum: 0, maximum: 100_000 },
    accountAgeDaysBelow: { type: 'integer', minimum: 1, maximum: 100_000 },
    standing: { type: 'array', minItems: 1, maxItems: ACCOUNT_STANDINGS.length, uniqueItems: true, items: { type: 'string', enum: ACCOUNT_STANDINGS } },
    state: { type: 'string', enum: ['on', 'off'] },
    reason: text(2000),
    legalBasis: { type: 'object', additionalProperties: false, required: ['text', 'reference'], properties: { text: text(4000), reference: text(500) } },
    expiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const featureSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['key', 'description', 'default', 'failMode', 'rules'],
  properties: {
    key: { type: 'string', pattern: FEATURE_KEY_PATTERN },
    description: text(2000),
    default: { type: 'string', enum: ['on', 'off'] },
    failMode: { type: 'string', enum: ['open', 'closed'] },
    rules: { type: 'array', maxItems: 1000, items: ruleSchema },
    enforcement: {
      type: 'object',
      additionalProperties: false,
      properties: {
        search: {
          type: 'object',
          additionalProperties: false,
          required: ['geoFields'],
          // Field names as Elasticsearch spells them (dotted paths); no wildcards: a gate must name what it gates.
          properties: { geoFields: { type: 'array', minItems: 1, maxItems: 32, uniqueItems: true, items: { type: 'string', pattern: GEO_FIELD_PATTERN } } },
        },
      },
    },
    updatedBy: { type: 'string', maxLength: 200 },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const validateShape = compileValidator<Feature>(featureSchema, 'feature');

/**
 * A feature as leads, legal and admins write it: the schema, then what a
 * schema cannot say: rule ids unique within the feature, an age range that
 * is not empty, no rule already expired at `now`. Errors name the field
 * (`prefix` + JSON pointer: `/rules/2/expiresAt`).
 */
export function validateFeatureDefinition(input: unknown, now = new Date(), prefix = ''): Feature {
  let feature: Feature;
  try {
    feature = validateShape(input);
  } catch (err) {
    if (err instanceof ValidationError && prefix) throw new ValidationError(err.message, `${prefix}${err.field ?? ''}`);
    throw err;
  }
  const seen = new Set<string>();
  feature.rules.forEach((rule, i) => {
    const at = `${prefix}/rules/${i}`;
    if (seen.has(rule.id)) throw new ValidationError(`feature: ${at}/id repeats rule id ${rule.id}`, `${at}/id`, 'duplicate_rule');
    seen.add(rule.id);
    if (rule.accountAgeDaysAtLeast !== undefined && rule.accountAgeDaysBelow !== undefined && rule.accountAgeDaysBelow <= rule.accountAgeDaysAtLeast) {
      throw new ValidationError(`feature: ${at}/accountAgeDaysBelow must be above accountAgeDaysAtLeast (no account would match)`, `${at}/accountAgeDaysBelow`);
    }
    if (rule.expiresAt !== undefined && Date.parse(rule.expiresAt) <= now.getTime()) {
      throw new ValidationError(`feature: ${at}/expiresAt (${rule.expiresAt}) has already passed`, `${at}/expiresAt`, 'rule_expired');
    }
  });
  return feature;
}

/** Every feature of a publish, checked again at publish time (a rule may have expired since it was written); fields are `/features/<key>/…`. */
export function validateFeatureSet(features: readonly unknown[], now = new Date()): Feature[] {
  return features.map((f) => validateFeatureDefinition(f, now, `/features/${String((f as { key?: unknown }).key)}`));
}
