/**
 * Roles, one job each. An endpoint names the roles it admits; nothing is
 * implied (admin cannot decide cases, a moderator cannot edit rules).
 */
export const ROLES = ['reporter', 'moderator', 'lead', 'legal', 'admin', 'search', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Standing a reporter token can carry: what its reports weigh in triage.
 * Only an admin grants it, when creating the token; a report body can never
 * claim it. `automated` is the platform's own detectors (hash scanners,
 * classifiers): their copy of content they report is trusted for automatic
 * action when the content is not in the index.
 */
export const STANDINGS = ['trusted_flagger', 'authority', 'automated'] as const;
export type Standing = (typeof STANDINGS)[number];

/** What a token may do beyond its role. */
export interface TokenGrants {
  /** May claim and decide cases on the restricted csam lane. */
  csam?: boolean;
  /** Reporter tokens only: the standing its reports carry (absent = an ordinary user's). */
  standing?: Standing;
}

export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  grants: TokenGrants;
}

/** How a principal appears in audit events and decisions: "role:name". */
export function actorOf(p: Principal): string {
  return `${p.role}:${p.name}`;
}
