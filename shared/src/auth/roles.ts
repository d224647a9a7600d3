/**
 * Roles, one job each. An endpoint names the roles it admits; nothing is
 * implied (admin cannot decide cases, a moderator cannot edit rules).
 * `agency` is a registered law-enforcement agency, prosecutor or court on the
 * legal desk: it files requests and downloads packages for its own agency's
 * requests only (the person's `agency` grant names which). `service` is a
 * platform service asking which features are on (and, later, checking uploads).
 * `metrics` is a Prometheus scraper: it may read `/metrics` of every service
 * and worker, and nothing else.
 */
export const ROLES = ['reporter', 'moderator', 'lead', 'legal', 'admin', 'search', 'ingest', 'agency', 'service', 'metrics'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that may read `/metrics` of every service and worker (the moderation API admits leads too: see its ACCESS). */
export const SCRAPE_ROLES: readonly Role[] = ['metrics', 'admin'];

/**
 * Standing a reporter token can carry: what its reports weigh in triage.
 * Only an admin grants it, when creating the token; a report body can never
 * claim it. `automated` is the platform's own detectors (hash scanners,
 * classifiers): their copy of content they report is trusted for automatic
 * action when the content is not in the index.
 */
export const STANDINGS = ['trusted_flagger', 'authority', 'automated'] as const;
export type Standing = (typeof STANDINGS)[number];

/** Standings whose holder is named in the reports it files, with its member state (DSA Art. 17(3)(b), Art. 15). */
export const NAMED_STANDINGS: readonly Standing[] = ['trusted_flagger', 'authority'];

/** What a token may do beyond its role. */
export interface TokenGrants {
  /** May claim and decide cases on the restricted csam lane. */
  csam?: boolean;
  /** Reporter tokens only: the standing its reports carry (absent = an ordinary user's). */
  standing?: Standing;
  /**
   * Trusted flaggers and authorities only: the EEA state (ISO 3166-1
   * alpha-2) whose coordinator designated the flagger, or the authority's
   * own state. Their reports carry it (Art. 15 counts orders by state).
   */
  memberState?: string;
  /** Agency people only (required with the role): the registered agency they act for. */
  agency?: string;
  /** Legal officers only: may disclose an emergency request at once, alone (it is reviewed after). */
  emergency?: boolean;
}

/** Who is calling: a person (actor), through one of their tokens, in that token's role. */
export interface Principal {
  /** The person. Every "not the same person" rule compares this, never token ids or names. */
  actorId: string;
  /** The person's display name. */
  name: string;
  tokenId: string;
  /** The token's own label (a device, a rotation). */
  tokenName: string;
  role: Role;
  /** The person's grants: one set for all their tokens. */
  grants: TokenGrants;
  /**
   * "role:name" identities this person acted under before tokens belonged to
   * people (migrated tokens), so decisions recorded then still count as theirs.
   */
  formerActors: readonly string[];
}

/** How a principal appears in audit events, decisions and provenance fields: the person's actor id. */
export function actorOf(p: Principal): string {
  return p.actorId;
}

/** True when `recorded` (a decidedBy, requestedBy, …) names the person behind `p`, under their id or a former identity. */
export function isSamePerson(p: Principal, recorded: string | undefined): boolean {
  if (!recorded) return false;
  return recorded === p.actorId || p.formerActors.includes(recorded);
}
