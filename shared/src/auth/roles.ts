/**
 * Roles, one job each. An endpoint names the roles it admits; nothing is
 * implied (admin cannot decide cases, a moderator cannot edit rules).
 */
export const ROLES = ['reporter', 'moderator', 'lead', 'legal', 'admin', 'search'] as const;
export type Role = (typeof ROLES)[number];

/** What a token may do beyond its role. */
export interface TokenGrants {
  /** May claim and decide cases on the restricted csam lane. */
  csam?: boolean;
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
