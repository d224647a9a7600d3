import type { Redis } from 'ioredis';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors/takedown-error';
import type { ReportJob } from '../jobs/payloads';
import type { AuditEventInput } from '../audit/audit-event';
import { caseFromHash, caseToFields, decisionFromHash, decisionToFields, type CaseRecord, type DecisionRecord } from './case-record';
import { newLeaseToken } from './ids';
import { LANES, type Lane, type ModerationKeys } from './keys';
import { runScript, runScripts } from './lua-scripts';

export interface Lease {
  caseId: string;
  token: string;
  expiresAt: string;
}

export interface FoldInput {
  caseId: string;
  report: ReportJob;
  expectedRev: number;
  fields: Partial<CaseRecord>;
  mode: 'enqueue' | 'attach' | 'requeue-score';
  score: number;
  /** Must include `lane`. */
  now: Date;
  audit: AuditEventInput;
  autoDecision?: DecisionRecord;
}

export type FoldOutcome =
  | { result: 'folded'; rev: number }
  | { result: 'duplicate' }
  /** The case moved on since it was read; `current` is its state now (undefined: still no case). */
  | { result: 'conflict'; current: CaseRecord | undefined };

/** One change of lane and fields (move-case.lua): a category move requested, confirmed or rejected. */
export interface CaseMove {
  /** The lane the case goes to (its own lane to stay). */
  lane: Lane;
  /** Fields to set (serialised as the case hash stores them; `score` is the lane score). */
  set: Partial<CaseRecord> & { score?: number };
  /** Fields to delete. */
  unset: (keyof CaseRecord)[];
  /** "release": the caller's lease, `leaseToken`, must be live and is released; "end": any lease ends; "keep": leases are left alone. */
  lease: 'keep' | 'release' | 'end';
  leaseToken?: string;
  audit: AuditEventInput;
}

export interface LaneStats {
  lane: Lane;
  depth: number;
  /** Seconds the longest-waiting open case has waited on this lane (0 when empty). */
  oldestAgeSeconds: number;
}

/** The lane names, in the order the scripts that take every lane get their keys. */
const LANE_NAMES = LANES.join(',');

/** Lane heads looked at per claim: enough to pass over the moderator's own appeals and lost races. */
const CLAIM_CANDIDATES = 50;

/** Latency histogram bucket bounds (ms) for decision → takedown. */
export const TAKEDOWN_LATENCY_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] as const;

/**
 * The case state in Redis: cases, lanes, leases, decisions and the outbox,
 * changed only through the Lua scripts in shared/lua so that every change
 * and its audit event happen together or not at all.
 */
export class CaseStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: ModerationKeys,
    private readonly leaseMs: number,
  ) {}

  async get(caseId: string): Promise<CaseRecord | undefined> {
    return caseFromHash(await this.redis.hgetall(this.keys.case(caseId)));
  }

  async require(caseId: string): Promise<CaseRecord> {
    const c = await this.get(caseId);
    if (!c) throw new NotFoundError(`case ${caseId} not found`, 'not_found', 'caseId');
    return c;
  }

  async reports(caseId: string): Promise<ReportJob[]> {
    const all = await this.redis.hvals(this.keys.caseReports(caseId));
    return all.map((r) => JSON.parse(r) as ReportJob).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  async decisions(caseId: string): Promise<DecisionRecord[]> {
    const ids = await this.redis.lrange(this.keys.caseDecisions(caseId), 0, -1);
    const found = await Promise.all(ids.map((id) => this.decision(id)));
    return found.filter((d): d is DecisionRecord => d !== undefined);
  }

  async appeals(caseId: string): Promise<unknown[]> {
    return (await this.redis.lrange(this.keys.caseAppeals(caseId), 0, -1)).map((a) => JSON.parse(a) as unknown);
  }

  async decision(decisionId: string): Promise<DecisionRecord | undefined> {
    return decisionFromHash(await this.redis.hgetall(this.keys.decision(decisionId)));
  }

  async fold(i: FoldInput): Promise<FoldOutcome> {
    const fields = Object.entries(caseToFields(i.fields)).flat();
    const decision = i.autoDecision ? Object.entries(decisionToFields(i.autoDecision)).flat() : [];
    const k = this.keys;
    const r = (await runScript(
      this.redis,
      'fold-report',
      [
        k.case(i.caseId),
        k.caseReports(i.caseId),
        k.cases,
        k.caseDecisions(i.caseId),
        // Untouched without an auto decision, but a key of the same slot all the same.
        k.decision(i.autoDecision?.id ?? ''),
        k.outbox,
        k.decisionCounts,
        k.decisionCountsOutsideCsam,
        k.dirty,
        k.audit,
        ...this.laneKeys(),
      ],
      [
      LANE_NAMES,
      i.caseId,
      i.report.reportId,
      JSON.stringify(i.report),
      String(i.expectedRev),
      i.mode,
      String(i.score),
      String(i.now.getTime()),
      JSON.stringify(i.audit),
      i.fields.lane ?? '',
      i.autoDecision?.id ?? '',
      i.autoDecision?.action ?? '',
      fields.length / 2,
      decision.length / 2,
      ...fields,
      ...decision,
      ],
    )) as [number, string | number | string[]];
    if (r[0] === 1) return { result: 'folded', rev: Number(r[1]) };
    if (r[0] === 0) return { result: 'duplicate' };
    const flat = r[1] as string[];
    const hash: Record<string, string> = {};
    for (let k = 0; k + 1 < flat.length; k += 2) hash[flat[k] as string] = flat[k + 1] as string;
    return { result: 'conflict', current: caseFromHash(hash) };
  }

  /** Returns expired leases' cases to their lanes (at most `max`). */
  async reap(now = new Date(), max = 500): Promise<number> {
    const expired = await this.redis.zrangebyscore(this.keys.leases, '-inf', now.getTime(), 'LIMIT', 0, max);
    return this.reapCases(expired, now);
  }

  /** Runs reap-lease on cases found among the expired leases: each is checked again there, atomically. */
  private async reapCases(caseIds: string[], now: Date): Promise<number> {
    const k = this.keys;
    const res = await runScripts(
      this.redis,
      caseIds.map((id) => ({ name: 'reap-lease', keys: [k.case(id), k.leases, k.dirty, k.audit, ...this.laneKeys()], args: [LANE_NAMES, id, now.getTime(), now.toISOString()] })),
    );
    return res.filter((r) => Number(r) === 1).length;
  }

  /** Every lane's key, then every lane's age key, in LANES order (the scripts that may touch any lane take them all). */
  private laneKeys(): string[] {
    return [...LANES.map((l) => this.keys.lane(l)), ...LANES.map((l) => this.keys.laneAge(l))];
  }

  /**
   * The next case on `lane` this moderator may take, leased to them, with
   * the case itself; undefined when there is none. Expired leases are
   * returned first. The lane's head is read, then claim-n.lua leases the
   * first candidate still open, atomically; one another claimer took
   * meanwhile, or the moderator's own appeal, is passed over.
   *
   * `formerActors`: the moderator's earlier identities (a migrated token's "role:name"), so their own appeals are skipped under those too.
   */
  async claim(lane: Lane, moderatorId: string, now = new Date(), formerActors: readonly string[] = []): Promise<{ lease: Lease; case: CaseRecord } | undefined> {
    const k = this.keys;
    const token = newLeaseToken();
    const read = await this.redis.pipeline().zrangebyscore(k.leases, '-inf', now.getTime(), 'LIMIT', 0, 100).zrange(k.lane(lane), 0, CLAIM_CANDIDATES - 1).exec();
    const expired = (read?.[0]?.[1] as string[] | undefined) ?? [];
    if (expired.length > 0) await this.reapCases(expired, now);
    const candidates = expired.length > 0 ? await this.redis.zrange(k.lane(lane), 0, CLAIM_CANDIDATES - 1) : ((read?.[1]?.[1] as string[] | undefined) ?? []);
    if (candidates.length === 0) return undefined;
    const r = (await runScript(this.redis, 'claim', [k.lane(lane), k.laneAge(lane), k.leases, k.dirty, k.audit, ...candidates.map((id) => k.case(id))], [
      lane,
      moderatorId,
      token,
      now.getTime(),
      this.leaseMs,
      now.toISOString(),
      JSON.stringify(formerActors),
      ...candidates,
    ])) as [number, string, string?, string[]?];
    if (r[0] === 1) {
      const caseId = r[1];
      const flat = r[3] ?? [];
      const hash: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
      const c = caseFromHash(hash);
      if (!c) throw new Error(`claimed case ${caseId} has no record`);
      return { lease: { caseId, token, expiresAt: new Date(Number(r[2])).toISOString() }, case: c };
    }
    return undefined;
  }

  async heartbeat(caseId: string, token: string, now = new Date()): Promise<Lease> {
    const r = await runScript(this.redis, 'heartbeat', [this.keys.case(caseId), this.keys.leases], [caseId, token, now.getTime(), this.leaseMs]);
    if (!r || r === 0) throw leaseConflict(caseId);
    return { caseId, token, expiresAt: new Date(Number(r)).toISOString() };
  }

  /** Throws 409 unless `token` is the live lease on the case. */
  async assertLease(caseId: string, token: string, now = new Date()): Promise<void> {
    const [status, held, expires] = await this.redis.hmget(this.keys.case(caseId), 'status', 'leaseToken', 'leaseExpiresAt');
    if (status !== 'claimed' || held !== token || Number(expires) <= now.getTime()) throw leaseConflict(caseId);
  }

  async release(caseId: string, token: string, actor: string, now = new Date()): Promise<void> {
    const audit: AuditEventInput = { type: 'case.released', actor, at: now.toISOString(), caseId };
    const k = this.keys;
    const r = await runScript(this.redis, 'release', [k.case(caseId), k.leases, k.dirty, k.audit, ...this.laneKeys()], [LANE_NAMES, caseId, token, now.getTime(), JSON.stringify(audit)]);
    if (Number(r) !== 1) throw leaseConflict(caseId);
  }

  async decide(
    caseId: string,
    token: string,
    decision: DecisionRecord,
    caseFields: Partial<CaseRecord>,
    escalateScore: number,
    audit: AuditEventInput,
    /**
     * Where an escalation goes, the lane and category the caller checked the
     * decision against, and whether it found the case csam (isCsamCase): a
     * csam decision is left out of the figures shown without the grant.
     */
    guard: { escalationLane: Lane; lane: Lane; category: string; csam: boolean },
    now = new Date(),
    /** The decider's former identities (a migrated token's "role:name"): an appeal is theirs under those too. */
    formerActors: readonly string[] = [],
  ): Promise<void> {
    const k = this.keys;
    const keys = [
      k.case(caseId),
      k.caseDecisions(caseId),
      k.decision(decision.id),
      k.leases,
      k.lane(guard.escalationLane),
      k.laneAge(guard.escalationLane),
      k.outbox,
      k.decisionCounts,
      k.decisionCountsOutsideCsam,
      k.dirty,
      k.audit,
    ];
    const r = (await runScript(this.redis, 'decide', keys, [
      caseId,
      token,
      now.getTime(),
      decision.decidedBy,
      decision.id,
      JSON.stringify(decisionToFields(decision)),
      decision.action,
      JSON.stringify(caseToFields(caseFields)),
      String(escalateScore),
      JSON.stringify(audit),
      guard.escalationLane,
      guard.lane,
      guard.category,
      JSON.stringify(formerActors),
      guard.csam ? '1' : '0',
    ])) as [number, string];
    if (r[0] === 1) return;
    if (r[1] === 'same_moderator') {
      throw new ForbiddenError('an appeal must be decided by a moderator other than the original decider', 'same_moderator');
    }
    if (r[1] === 'move_pending') throw categoryMovePending(caseId);
    if (r[1] === 'changed') {
      throw new ConflictError(`case ${caseId} changed lane or category while you held it (a report arrived or it was moved); reload it and decide again`, 'case_changed', 'category');
    }
    throw leaseConflict(caseId);
  }

  async appeal(caseId: string, decisionId: string, lane: Lane, score: number, appeal: object, audit: AuditEventInput, now = new Date()): Promise<void> {
    const k = this.keys;
    const r = (await runScript(this.redis, 'appeal', [k.case(caseId), k.caseAppeals(caseId), k.lane(lane), k.laneAge(lane), k.dirty, k.audit], [
      caseId,
      decisionId,
      lane,
      String(score),
      now.getTime(),
      JSON.stringify(appeal),
      JSON.stringify(audit),
    ])) as [number, string];
    if (r[0] === 1) return;
    const messages: Record<string, [string, string]> = {
      not_found: ['no case for this content', 'contentId'],
      not_latest: ['only the latest decision on the content can be appealed', 'decisionId'],
      not_decided: ['the case is not decided, or already under appeal', 'decisionId'],
      not_appealable: ['an escalation is not a decision; wait for the decision', 'decisionId'],
    };
    const [message, field] = messages[r[1]] ?? ['appeal refused', 'decisionId'];
    if (r[1] === 'not_found') throw new NotFoundError(message, 'not_found', field);
    throw new ConflictError(message, `appeal_${r[1]}`, field);
  }

  /**
   * Moves `c` (as the caller read it) to another lane and changes its fields,
   * atomically with the audit event, if it has not changed since (revision
   * compare-and-set). Resolves to "conflict" when it has: read and retry.
   * Throws 409 (leaseToken) when a lease to release is not live.
   */
  async move(c: CaseRecord, m: CaseMove, now = new Date()): Promise<'moved' | 'conflict'> {
    const k = this.keys;
    const fields = Object.entries(caseToFields(m.set)).flat();
    const r = (await runScript(
      this.redis,
      'move-case',
      [k.case(c.id), k.lane(c.lane), k.laneAge(c.lane), k.lane(m.lane), k.laneAge(m.lane), k.leases, k.dirty, k.audit],
      [c.id, String(c.rev), m.lane, m.lease === 'keep' ? '' : m.lease, m.leaseToken ?? '', now.getTime(), JSON.stringify(m.audit), fields.length / 2, ...fields, ...m.unset],
    )) as [number, string | number];
    if (r[0] === 1) return 'moved';
    if (r[1] === 'lease') throw leaseConflict(c.id);
    return 'conflict';
  }

  /** Marks a decision applied (once). Returns false when it already was (a replayed job). */
  async recordAction(decisionId: string, appliedAt: Date, latencyMs: number, audit: AuditEventInput): Promise<boolean> {
    const buckets = [...TAKEDOWN_LATENCY_BUCKETS_MS.map(String), '+Inf'].join(',');
    const k = this.keys;
    const r = await runScript(this.redis, 'record-action', [k.decision(decisionId), k.outbox, k.takedownLatency, k.audit], [
      decisionId,
      appliedAt.getTime(),
      Math.max(0, Math.round(latencyMs)),
      buckets,
      JSON.stringify(audit),
    ]);
    return Number(r) === 1;
  }

  /** Decisions recorded more than `olderThanMs` ago and not yet applied. */
  async staleOutbox(olderThanMs: number, now = new Date(), max = 500): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.outbox, '-inf', now.getTime() - olderThanMs, 'LIMIT', 0, max);
  }

  async laneStats(now = new Date()): Promise<LaneStats[]> {
    const pipe = this.redis.pipeline();
    for (const lane of LANES) {
      pipe.zcard(this.keys.lane(lane));
      pipe.zrange(this.keys.laneAge(lane), 0, 0, 'WITHSCORES');
    }
    const res = (await pipe.exec()) ?? [];
    return LANES.map((lane, i) => {
      const depth = Number(res[i * 2]?.[1] ?? 0);
      const oldest = res[i * 2 + 1]?.[1] as string[] | undefined;
      const since = oldest && oldest[1] ? Number(oldest[1]) : undefined;
      return { lane, depth, oldestAgeSeconds: since === undefined ? 0 : Math.max(0, (now.getTime() - since) / 1000) };
    });
  }

  /** Takes up to `max` case ids changed since they were last mirrored to Elasticsearch. */
  async takeDirty(max: number): Promise<string[]> {
    return this.redis.spop(this.keys.dirty, max);
  }

  async markDirty(caseIds: string[]): Promise<void> {
    if (caseIds.length > 0) await this.redis.sadd(this.keys.dirty, ...caseIds);
  }
}

export function categoryMovePending(caseId: string): ConflictError {
  const e = new ConflictError(`case ${caseId} has a category move awaiting confirmation; confirm or reject it first (POST /v1/cases/${caseId}/category-move/confirm)`, 'category_move_pending', 'category');
  e.details = { confirm: `POST /v1/cases/${caseId}/category-move/confirm` };
  return e;
}

function leaseConflict(caseId: string): ConflictError {
  return new ConflictError(`no live lease on case ${caseId} with this token (expired, released or never held)`, 'lease_conflict', 'leaseToken');
}
