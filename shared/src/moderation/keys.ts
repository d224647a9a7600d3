/// <reference path="../types/cluster-key-slot.d.ts" />
import calculateSlot from 'cluster-key-slot';
/**
 * Redis key names of the moderation state: the one place they are built
 * (the Lua scripts receive them all in KEYS).
 *
 * The case store is split into shards, each under its own hash tag derived
 * from the queue prefix (`{takedown}` -> `{takedown:s07}`), so on Redis
 * Cluster the cases spread over slots while every script still touches one
 * slot: a shard holds its cases' hashes with their reports, decisions and
 * appeals, its lanes and lane-age sets, leases, outbox, dirty set, cases
 * index, decision counters, latency histogram and its own audit stream.
 * A case lives in the shard its case id hashes to (the case id is derived
 * from the content id, so this is a stable function of the content id).
 *
 * Everything else (tokens, people, job-board sessions, worker heartbeats,
 * the audit stream of changes outside the case store, the audit writer's
 * lock) stays under the queue prefix's own tag.
 */
export const LANES = ['default', 'csam', 'escalated', 'appeals'] as const;
export type Lane = (typeof LANES)[number];

export const DEFAULT_CASE_SHARDS = 16;
export const MAX_CASE_SHARDS = 256;

/** The keys of one case shard: all share its hash tag. */
export interface CaseShardKeys {
  readonly index: number;
  /** "s07": names the shard in logs and in audit stream ids. */
  readonly label: string;
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
  /** Audit events of this shard's changes, waiting for the audit writer (a stream). */
  readonly audit: string;
  /** Decisions recorded, by action (every case). Readers sum the shards. */
  readonly decisionCounts: string;
  /**
   * Decisions recorded on cases that were not csam when decided, by action:
   * the figures /metrics shows a caller without the csam grant.
   */
  readonly decisionCountsOutsideCsam: string;
  readonly takedownLatency: string;
}

export interface ModerationKeys {
  /** Prefix of the keys outside the case shards. */
  readonly base: string;
  /** The case shards, by index. */
  readonly shards: readonly CaseShardKeys[];
  /** The shard a case lives in. */
  shardOf(caseId: string): CaseShardKeys;
  /** The case's keys, in its shard. */
  case(caseId: string): string;
  caseReports(caseId: string): string;
  caseDecisions(caseId: string): string;
  caseAppeals(caseId: string): string;
  /** A decision's hash: in the shard of the case it decides. */
  decision(caseId: string, decisionId: string): string;
  /** The number of case shards this deployment was started with (string), set at first boot. */
  readonly caseShardCount: string;
  /** The cases index of the layout before shards (`{takedown}:mod:cases`): only looked at, to refuse an unmigrated store. */
  readonly unshardedCases: string;
  /** Audit events of changes outside the case store (tokens, people, rules, legal, …): a stream. */
  readonly audit: string;
  readonly auditWriterLock: string;
  /** Audit stream entries the writer could not read, set aside: stream id -> length in bytes (never the content). */
  readonly auditDeadLetter: string;
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
  /** Dashboard history: one sample (JSON) per sampling slot, scored by the slot's start (ms). */
  readonly statsSamples: string;
  /** The same samples thinned to one a minute (the first of each), read for long ranges. */
  readonly statsSamplesCoarse: string;
  /** Taken with SET NX by the one process (of all API replicas) that samples this slot. */
  statsSlot(slotMs: number): string;
}

/**
 * FNV-1a (32 bits) of the case id, modulo the shard count. Never change it:
 * existing cases would be looked for in the wrong shard.
 */
export function caseShardIndex(caseId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < caseId.length; i++) {
    h ^= caseId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

/** Redis Cluster's slot count. */
const SLOTS = 16384;

/**
 * The hash tag of shard `index` of `count`: `takedown:s07`, or
 * `takedown:s07.<n>` with the smallest n that puts its slot in the shard's
 * own 1/count of the slot range. A cluster's masters hold even, contiguous
 * slot ranges by default, so the shards spread evenly over them (the plain
 * labels' slots clustered: 16 shards fell 4/4/8 over 3 masters for
 * `{takedown}`). Depends only on the prefix and the count (recorded at first
 * boot), so every process derives the same tags.
 */
function shardTag(inner: string, label: string, index: number, count: number): string {
  const lo = Math.floor((index * SLOTS) / count);
  const hi = Math.floor(((index + 1) * SLOTS) / count);
  // A band of 64 slots or more (count ≤ 256): a few hundred tries at most, expected count.
  for (let n = 0; n < 100_000; n++) {
    const tag = n === 0 ? `${inner}:${label}` : `${inner}:${label}.${n}`;
    const slot = calculateSlot(tag);
    if (slot >= lo && slot < hi) return tag;
  }
  return `${inner}:${label}`;
}

/** `{takedown}` -> `{takedown:s07…}`: the tag moves inside the braces, so each shard is its own slot (and keeps the prefix's name, which test cleanup and SCAN patterns rely on). */
function shardPrefix(queuePrefix: string, label: string, index: number, count: number): string {
  const m = /^\{([^}]*)\}(.*)$/.exec(queuePrefix);
  return m ? `{${shardTag(m[1] as string, label, index, count)}}${m[2]}` : `{${shardTag(queuePrefix, label, index, count)}}`;
}

function caseShardKeys(queuePrefix: string, index: number, count: number): CaseShardKeys {
  const label = `s${String(index).padStart(2, '0')}`;
  const base = `${shardPrefix(queuePrefix, label, index, count)}:mod`;
  return {
    index,
    label,
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
    decisionCounts: `${base}:metrics:decisions`,
    decisionCountsOutsideCsam: `${base}:metrics:decisions:outside-csam`,
    takedownLatency: `${base}:metrics:takedown-latency`,
  };
}

export function moderationKeys(queuePrefix: string, caseShards = DEFAULT_CASE_SHARDS): ModerationKeys {
  if (!Number.isInteger(caseShards) || caseShards < 1 || caseShards > MAX_CASE_SHARDS) throw new RangeError(`case shards must be an integer from 1 to ${MAX_CASE_SHARDS}, got ${caseShards}`);
  const base = `${queuePrefix}:mod`;
  const shards = Array.from({ length: caseShards }, (_, i) => caseShardKeys(queuePrefix, i, caseShards));
  const shardOf = (caseId: string) => shards[caseShardIndex(caseId, caseShards)] as CaseShardKeys;
  return {
    base,
    shards,
    shardOf,
    case: (id) => shardOf(id).case(id),
    caseReports: (id) => shardOf(id).caseReports(id),
    caseDecisions: (id) => shardOf(id).caseDecisions(id),
    caseAppeals: (id) => shardOf(id).caseAppeals(id),
    decision: (caseId, decisionId) => shardOf(caseId).decision(decisionId),
    caseShardCount: `${base}:case-shards`,
    unshardedCases: `${base}:cases`,
    audit: `${base}:audit`,
    auditWriterLock: `${base}:audit:writer`,
    auditDeadLetter: `${base}:audit:dead-letter`,
    workers: `${base}:workers`,
    tokens: `${base}:tokens`,
    tokenIndex: `${base}:tokens:index`,
    people: `${base}:people`,
    adminSession: (hash) => `${base}:admin-session:${hash}`,
    adminSessionsOf: (tokenHash) => `${base}:admin-sessions:${tokenHash}`,
    tokenMigrationLock: `${base}:tokens:migrating`,
    takedownChannel: `${base}:takedowns`,
    recentTakedowns: `${base}:takedowns:recent`,
    statsSamples: `${base}:stats:samples`,
    statsSamplesCoarse: `${base}:stats:samples:coarse`,
    statsSlot: (slotMs) => `${base}:stats:slot:${slotMs}`,
  };
}
