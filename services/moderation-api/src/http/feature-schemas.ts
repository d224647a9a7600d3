import { ACCOUNT_STANDINGS, PLATFORMS } from '@takedown/features';
import { COUNTRY_CODE_LIST, FEATURE_KEY_PATTERN, compileValidator } from '@takedown/shared';

export interface EvaluateQuery {
  country: string;
  platform: string;
  /** Days, as digits (a query string carries text). */
  accountAgeDays?: string;
  standing?: string;
  /** Only this feature (404 naming `feature` when none is published under that key). */
  feature?: string;
}

export const validateEvaluateQuery = compileValidator<EvaluateQuery>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['country', 'platform'],
    properties: {
      country: { type: 'string', enum: COUNTRY_CODE_LIST },
      platform: { type: 'string', enum: PLATFORMS },
      accountAgeDays: { type: 'string', pattern: '^[0-9]{1,6}$' },
      standing: { type: 'string', enum: ACCOUNT_STANDINGS },
      feature: { type: 'string', pattern: FEATURE_KEY_PATTERN },
    },
  },
  'query',
);

export const validateFeaturePublishBody = compileValidator<{ note: string }>(
  { type: 'object', additionalProperties: false, required: ['note'], properties: { note: { type: 'string', minLength: 1, maxLength: 2000 } } },
  'publish',
);

export const validateFeatureRollbackBody = compileValidator<{ version: number; note: string }>(
  { type: 'object', additionalProperties: false, required: ['version', 'note'], properties: { version: { type: 'integer', minimum: 1 }, note: { type: 'string', minLength: 1, maxLength: 2000 } } },
  'rollback',
);

export const validateFeatureKey = compileValidator<{ featureKey: string }>(
  { type: 'object', required: ['featureKey'], properties: { featureKey: { type: 'string', pattern: FEATURE_KEY_PATTERN } } },
  'path',
);
