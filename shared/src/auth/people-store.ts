import type { RedisClient } from '../clients/redis';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/takedown-error';
import type { ModerationKeys } from '../moderation/keys';
import { runScript } from '../moderation/lua-scripts';
import type { AuditEventInput } from '../audit/audit-event';
import { AGENCY_ID_PATTERN } from '../legal/legal-vocabulary';
import { NAMED_STANDINGS, ROLES, type Role, type TokenGrants } from './roles';
import { isEeaMemberState } from '../dsa/member-states';

/**
 * A person: the actor that tokens belong to. Grants and roles are the
 * person's; each token carries one of the person's roles. Never deleted
 * (decisions and audit events name the id for good), only disabled.
 */
export interface PersonRecord {
  /** The actor id: chosen once, never reused. */
  id: string;
  displayName: string;
  email?: string;
  roles: Role[];
  grants: TokenGrants;
  createdAt: string;
  createdBy: string;
  updatedAt?: string;
  updatedBy?: string;
  disabledAt?: string;
  disabledBy?: string;
  /** "role:name" identities of the token this person was migrated from (see isSamePerson). */
  formerActors?: string[];
  /** A csam clearance one admin asked for; it takes effect only when a second admin confirms it. */
  pendingCsamGrant?: { requestedBy: string; requestedAt: string };
}

/** Lower-case letters, digits, `.`, `_`, `-`: readable in audit events, no ":" (system actors are "system:…"). */
export const ACTOR_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,62}$';
const ACTOR_ID = new RegExp(ACTOR_ID_PATTERN);
/** Ids that provenance fields already use for Takedown itself. */
const RESERVED_IDS = new Set(['system', 'takedown', 'anonymous', 'unknown']);

export interface PersonInput {
  id?: string;
  displayName: string;
  email?: string;
  roles: Role[];
  grants?: TokenGrants;
}

export interface PersonPatch {
  displayName?: string;
  /** null clears it. */
  email?: string | null;
  roles?: Role[];
  csam?: boolean;
  /** null clears it. */
  standing?: TokenGrants['standing'] | null;
  /** null clears it; clearing the standing clears it too. */
  memberState?: string | null;
  /** null clears it (with the agency role dropped). */
  agency?: string | null;
  emergency?: boolean;
}

export interface PeopleStoreOptions {
  /**
   * Whether an agency is registered (the legal desk's agency registry).
   * Without it, an `agency` grant is checked for its shape only.
   */
  agencyExists?: (agencyId: string) => Promise<boolean>;
}

/** People in Redis (actor id → JSON). Every change is audited atomically with it; emails never enter the audit chain. */
export class PeopleStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: ModerationKeys,
    private readonly options: PeopleStoreOptions = {},
  ) {}

  async get(id: string): Promise<PersonRecord | undefined> {
    const raw = await this.redis.hget(this.keys.people, id);
    return raw ? (JSON.parse(raw) as PersonRecord) : undefined;
  }

  async require(id: string): Promise<PersonRecord> {
    const p = await this.get(id);
    if (!p) throw new NotFoundError(`no person with id ${id}`, 'not_found', 'actorId');
    return p;
  }

  async list(): Promise<PersonRecord[]> {
    const all = await this.redis.hvals(this.keys.people);
    return all.map((r) => JSON.parse(r) as PersonRecord).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** An id derived from a name, free at the time of asking (a suffix when taken). */
  async freeIdFor(name: string): Promise<string> {
    const base = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 56) || 'person';
    const stem = RESERVED_IDS.has(base) ? `${base}-1` : base;
    for (let i = 1; ; i++) {
      const id = i === 1 ? stem : `${stem}-${i}`;
      if (!(await this.redis.hexists(this.keys.people, id))) return id;
    }
  }

  async create(input: PersonInput, by: string, extra: Pick<PersonRecord, 'formerActors'> = {}): Promise<PersonRecord> {
    const id = input.id ?? (await this.freeIdFor(input.displayName));
    if (!ACTOR_ID.test(id) || RESERVED_IDS.has(id)) {
      throw new ValidationError(`person: /id must match ${ACTOR_ID_PATTERN} and not be one of ${[...RESERVED_IDS].join(', ')}`, '/id');
    }
    const grants = checkGrants(input.roles, input.grants ?? {});
    if (grants.agency) await this.requireAgency(grants.agency);
    const person: PersonRecord = {
      id,
      displayName: input.displayName,
      ...(input.email ? { email: input.email } : {}),
      roles: normaliseRoles(input.roles),
      grants,
      createdAt: new Date().toISOString(),
      createdBy: by,
      ...extra,
    };
    const ok = await this.put(person, '', { type: 'person.created', actor: by, at: person.createdAt, data: publicView(person) });
    if (!ok) throw new ConflictError(`a person with id ${id} exists`, 'person_exists', 'id');
    return person;
  }

  /** Applies a patch; a concurrent edit of the same person is a 409, never a lost update. */
  update(id: string, patch: PersonPatch, by: string): Promise<PersonRecord> {
    return this.change(id, async (before) => {
      if (before.disabledAt) throw new ConflictError(`${id} is disabled; people are never re-enabled, create a new one`, 'person_disabled', 'actorId');
      const roles = patch.roles ? normaliseRoles(patch.roles) : before.roles;
      const grants: TokenGrants = { ...before.grants };
      let pending = before.pendingCsamGrant;
      if (patch.csam !== undefined) {
        if (patch.csam) grants.csam = true;
        else delete grants.csam;
        pending = undefined;
      }
      if (patch.standing !== undefined) {
        if (patch.standing === null) {
          delete grants.standing;
          // The state names who designated the standing: it goes with it.
          if (patch.memberState === undefined) delete grants.memberState;
        } else grants.standing = patch.standing;
      }
      if (patch.memberState !== undefined) {
        if (patch.memberState === null) delete grants.memberState;
        else grants.memberState = patch.memberState;
      }
      if (patch.agency !== undefined) {
        if (patch.agency === null) delete grants.agency;
        else grants.agency = patch.agency;
      }
      if (patch.emergency !== undefined) {
        if (patch.emergency) grants.emergency = true;
        else delete grants.emergency;
      }
      const checked = checkGrants(roles, grants);
      if (checked.agency && checked.agency !== before.grants.agency) await this.requireAgency(checked.agency);
      const { email: _oldEmail, pendingCsamGrant: _oldPending, ...rest } = before;
      const email = patch.email === null ? undefined : (patch.email ?? before.email);
      const after: PersonRecord = {
        ...rest,
        ...(pending ? { pendingCsamGrant: pending } : {}),
        ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
        ...(email ? { email } : {}),
        roles,
        grants: checked,
        updatedAt: new Date().toISOString(),
        updatedBy: by,
      };
      return { after, audit: { type: 'person.updated', actor: by, at: after.updatedAt as string, data: { actorId: id, before: publicView(before), after: publicView(after) } } };
    });
  }

  /**
   * Asks for a csam clearance: recorded as pending, with who asked. It takes
   * effect only when a second admin confirms (decideCsamGrant), so no single
   * admin can clear themselves or a person they made.
   */
  requestCsamGrant(id: string, by: string): Promise<PersonRecord> {
    return this.change(id, (before) => {
      if (before.disabledAt) throw new ConflictError(`${id} is disabled`, 'person_disabled', 'actorId');
      if (before.grants.csam || before.pendingCsamGrant) return undefined;
      const at = new Date().toISOString();
      return { after: { ...before, pendingCsamGrant: { requestedBy: by, requestedAt: at } }, audit: { type: 'person.csam_grant_requested', actor: by, at, data: { actorId: id } } };
    });
  }

  /** A second admin confirms or rejects a pending csam clearance. `isRequester` says whether the caller is the person who asked. */
  decideCsamGrant(id: string, by: string, confirm: boolean, isRequester: (requestedBy: string) => boolean): Promise<PersonRecord> {
    return this.change(id, (before) => {
      const pending = before.pendingCsamGrant;
      if (!pending) throw new ConflictError(`${id} has no csam clearance waiting for confirmation`, 'no_pending_grant', 'actorId');
      if (isRequester(pending.requestedBy)) {
        throw new ForbiddenError('the admin who asked for a csam clearance cannot confirm or reject it; a second admin must', 'same_person');
      }
      if (by === id) throw new ForbiddenError('no one confirms their own csam clearance', 'self_change');
      const at = new Date().toISOString();
      const { pendingCsamGrant: _done, ...rest } = before;
      const after: PersonRecord = { ...rest, grants: confirm ? { ...before.grants, csam: true } : before.grants, updatedAt: at, updatedBy: by };
      return {
        after,
        audit: { type: confirm ? 'person.csam_grant_confirmed' : 'person.csam_grant_rejected', actor: by, at, data: { actorId: id, requestedBy: pending.requestedBy, requestedAt: pending.requestedAt } },
      };
    });
  }

  /** Disables a person: every token of theirs stops authenticating at once (the caller revokes them too, for the record). */
  disable(id: string, by: string): Promise<PersonRecord> {
    return this.change(id, (before) => {
      if (before.disabledAt) return undefined;
      const at = new Date().toISOString();
      return { after: { ...before, disabledAt: at, disabledBy: by }, audit: { type: 'person.disabled', actor: by, at, data: { actorId: id } } };
    });
  }

  /**
   * Reads a person, lets `next` decide the new record (undefined: nothing
   * to change) and writes it with its audit event as a compare-and-set on
   * what was read: a concurrent edit is a 409, never a lost update.
   */
  private async change(id: string, next: (before: PersonRecord) => Promise<{ after: PersonRecord; audit: AuditEventInput } | undefined> | { after: PersonRecord; audit: AuditEventInput } | undefined): Promise<PersonRecord> {
    const raw = await this.redis.hget(this.keys.people, id);
    if (!raw) throw new NotFoundError(`no person with id ${id}`, 'not_found', 'actorId');
    const before = JSON.parse(raw) as PersonRecord;
    const changed = await next(before);
    if (!changed) return before;
    if (!(await this.put(changed.after, raw, changed.audit))) throw new ConflictError(`${id} changed meanwhile; read it again and retry`, 'person_changed', 'actorId');
    return changed.after;
  }

  private async requireAgency(agencyId: string): Promise<void> {
    if (this.options.agencyExists && !(await this.options.agencyExists(agencyId))) {
      throw new ValidationError(`person: /agency names no registered agency (register it with POST /v1/legal/agencies)`, '/agency', 'unknown_agency');
    }
  }

  private async put(person: PersonRecord, expected: string, audit: AuditEventInput): Promise<boolean> {
    const r = await runScript(this.redis, 'put-person', [this.keys.people, this.keys.audit], [person.id, JSON.stringify(person), expected, JSON.stringify(audit)]);
    return Number(r) === 1;
  }
}

/** What the audit chain records of a person: everything but the email (personal data stays out of the chain). */
function publicView(p: PersonRecord): Record<string, unknown> {
  return { actorId: p.id, displayName: p.displayName, roles: p.roles, grants: p.grants, emailSet: Boolean(p.email), csamGrantPending: Boolean(p.pendingCsamGrant) };
}

function normaliseRoles(roles: readonly Role[]): Role[] {
  const set = new Set(roles);
  if (set.size === 0) throw new ValidationError('person: /roles must name at least one role', '/roles');
  for (const r of set) if (!(ROLES as readonly string[]).includes(r)) throw new ValidationError(`person: /roles has unknown role ${r}`, '/roles');
  return ROLES.filter((r) => set.has(r));
}

/**
 * Grants that mean something with one role only: standing is what a
 * reporter's reports weigh; an agency person acts for exactly one registered
 * agency (required with the role); the emergency grant lets a legal officer
 * disclose an emergency request alone; a member state names who designated
 * a trusted flagger or authority.
 */
function checkGrants(roles: readonly Role[], grants: TokenGrants): TokenGrants {
  if (grants.standing && !roles.includes('reporter')) {
    throw new ValidationError('person: /standing is for people holding the reporter role', '/standing');
  }
  if (grants.memberState && !(grants.standing && NAMED_STANDINGS.includes(grants.standing))) {
    throw new ValidationError(`person: /memberState is for people with ${NAMED_STANDINGS.join(' or ')} standing`, '/memberState');
  }
  if (grants.memberState && !isEeaMemberState(grants.memberState)) {
    throw new ValidationError('person: /memberState must be an EEA state (ISO 3166-1 alpha-2)', '/memberState');
  }
  if (grants.agency && !roles.includes('agency')) {
    throw new ValidationError('person: /agency is for people holding the agency role', '/agency');
  }
  if (!grants.agency && roles.includes('agency')) {
    throw new ValidationError('person: /agency (the registered agency they act for) is required with the agency role', '/agency');
  }
  if (grants.agency && !new RegExp(AGENCY_ID_PATTERN).test(grants.agency)) {
    throw new ValidationError(`person: /agency must match ${AGENCY_ID_PATTERN}`, '/agency');
  }
  if (grants.emergency && !roles.includes('legal')) {
    throw new ValidationError('person: /emergency is for people holding the legal role', '/emergency');
  }
  return {
    ...(grants.csam ? { csam: true } : {}),
    ...(grants.standing ? { standing: grants.standing } : {}),
    ...(grants.memberState ? { memberState: grants.memberState } : {}),
    ...(grants.agency ? { agency: grants.agency } : {}),
    ...(grants.emergency ? { emergency: true } : {}),
  };
}
