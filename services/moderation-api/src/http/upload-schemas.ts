import { ACCOUNT_STANDINGS, PLATFORMS } from '@takedown/features';
import { COUNTRY_CODE_LIST, FEATURE_KEY_PATTERN, compileValidator, externalIdSchema } from '@takedown/shared';

export interface UploadCheckBody {
  feature: string;
  country: string;
  accountId: string;
  platform?: string;
  /** The account's standing and age as the platform knows them: feature rules can switch uploads off by either. */
  standing?: string;
  accountAgeDays?: number;
  media: { sha256: string; size: number; mime: string; pdq?: string };
}

/** type/subtype with the registered top-level types media can have (RFC 6838 name characters). */
const MIME_PATTERN = '^(image|video|audio|application|text|model|font)/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$';

export const validateUploadCheckBody = compileValidator<UploadCheckBody>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['feature', 'country', 'accountId', 'media'],
    properties: {
      feature: { type: 'string', pattern: FEATURE_KEY_PATTERN },
      country: { type: 'string', enum: COUNTRY_CODE_LIST },
      accountId: externalIdSchema,
      platform: { type: 'string', enum: PLATFORMS },
      // Without these, a rule on standing or account age (uploads off for suspended or new accounts) could never apply here.
      standing: { type: 'string', enum: ACCOUNT_STANDINGS },
      accountAgeDays: { type: 'integer', minimum: 0, maximum: 1_000_000 },
      media: {
        type: 'object',
        additionalProperties: false,
        required: ['sha256', 'size', 'mime'],
        properties: {
          sha256: { type: 'string', pattern: '^[A-Fa-f0-9]{64}$' },
          // Up to 1 TiB: a size is reported, not read.
          size: { type: 'integer', minimum: 0, maximum: 2 ** 40 },
          mime: { type: 'string', pattern: MIME_PATTERN },
          // PDQ: 256 bits as 64 hex digits. Accepted and validated now; matched once perceptual hash lists exist.
          pdq: { type: 'string', pattern: '^[A-Fa-f0-9]{64}$' },
        },
      },
    },
  },
  'upload',
);
