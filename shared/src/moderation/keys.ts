/**
 * Redis key names of the moderation state. Every key starts with the queue
 * prefix, a hash tag such as `{takedown}`, so the Lua scripts that touch
 * several keys stay on one Redis Cluster slot.
 */
export const LANES = ['default', 'csam', 'escalated', 'appeals'] as const;
export type Lane = (typeof LANES)[number];

export interface ModerationKeys {
  /** Prefix the Lua scripts derive their keys from. */
  readonly base: string;
  case(caseId: string): string;
  caseReports(caseId: string): string;
  caseDecisions(caseId: string): string;
  caseAppeals(caseId: string): string;
  decision(decisionId: string): string;
  /** Open cases of a lane, scored by priority then age (lowest first). */
  lane(lane: Lane): string;
  /** Open cases of a lane, scored by when they joined it (for oldest-age metrics). */
  laneAge(lane: Lane): string;
  /** Claimed cases, scored by lease expiry. */
  readonly leases: string;
  /** Every case, scored by its last report. */
  readonly cases: string;
  /** Decisions recorded but not yet applied to the content, scored by decision time. */
  readonly outbox: string;
  /** Cases changed since they were last copied to Elasticsearch. */
  readonly dirty: string;
  /** Audit events waiting for the audit writer (a stream). */
  readonly audit: string;
  readonly auditWriterLock: string;
  /** Audit stream entries the writer could not read, set aside: stream id -> length in bytes (never the content). */
  readonly auditDeadLetter: string;
  /** Decisions recorded, by action (every case). */
  readonly decisionCounts: string;
  /**
   * Decisions recorded on cases that were not csam when decided, by action:
   * the figures /metrics shows a caller without the csam grant. Counted
   * apart from the first decision after it was introduced.
   */
  readonly decisionCountsOutsideCsam: string;
  readonly takedownLatency: string;
  /** Worker heartbeats: member "kind:instance", score last seen (ms). */
  readonly workers: string;
  /** Token hash → token record JSON. */
  readonly tokens: string;
  /** "name:<name>" → token hash (live tokens), "id:<id>" → token hash (all tokens). */
  readonly tokenIndex: string;
  /** Actor id → person JSON: the people tokens belong to. */
  readonly people: string;
  /** A job-board session by the SHA-256 of its id (the cookie holds the id) → session record JSON, with a TTL. */
  adminSession(sessionHash: string): string;
  /** The job-board sessions opened with one token (by token hash): a set of session hashes, so signing out closes them all. */
  adminSessionsOf(tokenHash: string): string;
  /** Held while tokens from before people existed are moved to one person each. */
  readonly tokenMigrationLock: string;
  /** Pub/sub channel: content ids taken down, for every search instance. */
  readonly takedownChannel: string;
  /** The same takedowns, scored by time, kept a few minutes: a search instance that (re)subscribes catches up from here. */
  readonly recentTakedowns: string;
}

export function moderationKeys(queuePrefix: string): ModerationKeys {
  const base = `${queuePrefix}:mod`;
  return {
    base,
    case: (id) => `${base}:case:${id}`,
    caseReports: (id) => `${base}:case:${id}:reports`,
    caseDecisions: (id) => `${base}:case:${id}:decisions`,
    caseAppeals: (id) => `${base}:case:${id}:appeals`,
    decision: (id) => `${base}:decision:${id}`,
    lane: (lane) => `${base}:lane:${lane}`,
    laneAge: (lane) => `${base}:lane-age:${lane}`,
    leases: `${base}:leases`,
    cases: `${base}:cases`,
    outbox: `${base}:outbox`,
    dirty: `${base}:dirty`,
    audit: `${base}:audit`,
    auditWriterLock: `${base}:audit:writer`,
    auditDeadLetter: `${base}:audit:dead-letter`,
    decisionCounts: `${base}:metrics:decisions`,
    decisionCountsOutsideCsam: `${base}:metrics:decisions:outside-csam`,
    takedownLatency: `${base}:metrics:takedown-latency`,
    workers: `${base}:workers`,
    tokens: `${base}:tokens`,
    tokenIndex: `${base}:tokens:index`,
    people: `${base}:people`,
    adminSession: (hash) => `${base}:admin-session:${hash}`,
    adminSessionsOf: (tokenHash) => `${base}:admin-sessions:${tokenHash}`,
    tokenMigrationLock: `${base}:tokens:migrating`,
    takedownChannel: `${base}:takedowns`,
    recentTakedowns: `${base}:takedowns:recent`,
  };
}
