import { compileValidator } from '../validation/validator';
import { ACTOR_ID_PATTERN } from './people-store';
import { AGENCY_ID_PATTERN } from '../legal/legal-vocabulary';
import { ROLES, STANDINGS, type Role, type Standing } from './roles';
import { EEA_MEMBER_STATES } from '../dsa/member-states';

/** The shapes an admin sends to create or change a person (API and CLI alike); errors name the field. */

const actorId = { type: 'string', pattern: ACTOR_ID_PATTERN } as const;
const displayName = { type: 'string', minLength: 1, maxLength: 120, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
// What browsers accept for type=email, and short enough for any mailbox.
const email = { type: 'string', maxLength: 254, pattern: "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$" } as const;
const agencyId = { type: 'string', pattern: AGENCY_ID_PATTERN } as const;
const memberState = { type: 'string', enum: EEA_MEMBER_STATES } as const;
const roleList = { type: 'array', minItems: 1, maxItems: ROLES.length, uniqueItems: true, items: { type: 'string', enum: ROLES } } as const;

/** A new person (POST /v1/people, `takedown person create`). */
export const validatePersonBody = compileValidator<{ id?: string; displayName: string; email?: string; roles: Role[]; csam?: boolean; standing?: Standing; memberState?: string; agency?: string; emergency?: boolean }>(
  {
    type: 'object',
    additionalProperties: false,
    required: ['displayName', 'roles'],
    properties: {
      id: actorId,
      displayName,
      email,
      roles: roleList,
      csam: { type: 'boolean' },
      standing: { type: 'string', enum: STANDINGS },
      memberState,
      agency: agencyId,
      emergency: { type: 'boolean' },
    },
    // Grants that only mean something with one role; the people store checks the same on every change (and that the agency is registered).
    allOf: [
      { if: { properties: { standing: true }, required: ['standing'] }, then: { properties: { roles: { type: 'array', contains: { const: 'reporter' } } } } },
      { if: { properties: { memberState: true }, required: ['memberState'] }, then: { properties: { standing: { enum: ['trusted_flagger', 'authority'] } }, required: ['standing'] } },
      { if: { properties: { agency: true }, required: ['agency'] }, then: { properties: { roles: { type: 'array', contains: { const: 'agency' } } } } },
      { if: { properties: { roles: { type: 'array', contains: { const: 'agency' } } } }, then: { properties: { agency: true }, required: ['agency'] } },
      { if: { properties: { emergency: { const: true } }, required: ['emergency'] }, then: { properties: { roles: { type: 'array', contains: { const: 'legal' } } } } },
    ],
  },
  'person',
);

/** A change to a person: only what changes; null clears email, standing (and with it the member state) or member state. */
export const validatePersonPatch = compileValidator<{ displayName?: string; email?: string | null; roles?: Role[]; csam?: boolean; standing?: Standing | null; memberState?: string | null; agency?: string | null; emergency?: boolean }>(
  {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      displayName,
      email: { anyOf: [email, { type: 'null' }] },
      roles: roleList,
      csam: { type: 'boolean' },
      standing: { anyOf: [{ type: 'string', enum: STANDINGS }, { type: 'null' }] },
      memberState: { anyOf: [memberState, { type: 'null' }] },
      agency: { anyOf: [agencyId, { type: 'null' }] },
      emergency: { type: 'boolean' },
    },
  },
  'person',
);
