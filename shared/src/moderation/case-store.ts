import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../clients/redis';
import { pipelined, type Routed } from './pipelined';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors/takedown-error';
import type { ReportJob } from '../jobs/payloads';
import type { AuditEventInput } from '../audit/audit-event';
import { caseFromHash, caseToFields, decisionFromHash, decisionToFields, type CaseRecord, type DecisionRecord } from './case-record';
import { newLeaseToken } from './ids';
import { LANES, type CaseShardKeys, type Lane, type ModerationKeys } from './keys';
import { runScript, runScripts, runScriptsSettled, type ScriptCall } from './lua-scripts';

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

/** One change of lane and fields (move-case-8.lua): a category move requested, confirmed or rejected. */
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

/** Lane heads read per shard in a claim's first round: enough to pass over a few lost races and own appeals. */
const CLAIM_HEADS_PER_SHARD = 8;
/** Rounds of a claim; each reads four times deeper than the last (8, 32, 128 heads per shard). */
const CLAIM_ROUNDS = 3;
/**
 * The most candidates one claim-n.lua call gets: a longer run of one shard
 * is tried in pieces, in the same order. On few shards a run can be every
 * head read (100 for 50 claims on one shard): each call would carry them
 * all, and every concurrent claim would try the same run.
 */
const MAX_RUN = CLAIM_HEADS_PER_SHARD;
/** The most heads per shard one shared read takes (the depth of a claim's last round). */
const MAX_HEADS_PER_SHARD = CLAIM_HEADS_PER_SHARD * 4 ** (CLAIM_ROUNDS - 1);
/** Expired leases returned per shard in one pass. */
const REAP_PER_SHARD = 100;

/** The lane heads of every shard as one read found them; `complete`: every shard's lane was read to its end. */
interface HeadRead {
  heads: LaneHead[];
  complete: boolean;
}

/** A lane head as a claim reads it. */
export interface LaneHead {
  caseId: string;
  score: number;
  shard: number;
}

/**
 * The order claims serve lane heads across shards: lowest lane score first
 * (priority, then the first report's time: see laneScore); equal scores by
 * shard, starting from `rotation` (so ties do not favour low shard numbers,
 * and concurrent claimers spread over shards); then by case id, the order
 * Redis keeps equal scores in within a shard.
 */
export function compareHeads(a: LaneHead, b: LaneHead, rotation: number, shards: number): number {
  if (a.score !== b.score) return a.score - b.score;
  const ra = (a.shard - rotation + shards) % shards;
  const rb = (b.shard - rotation + shards) % shards;
  if (ra !== rb) return ra - rb;
  return a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0;
}

/** Latency histogram bucket bounds (ms) for decision → takedown. */
export const TAKEDOWN_LATENCY_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] as const;

/**
 * The case state in Redis: cases, lanes, leases, decisions and the outbox,
 * changed only through the Lua scripts in shared/lua so that every change
 * and its audit event happen together or not at all.
 */
export class CaseStore {
  /** Advances on every claim: where ties across shards start (compareHeads). */
  private rotation = 0;
  /** Case ids claims of this process are trying right now, with how many: concurrent claims spread over the heads. */
  private readonly attempting = new Map<string, number>();
  private claimCalls = 0;
  /** Lane-head reads waiting to be sent, by lane, depth and reap: concurrent claims join them (readHeads). */
  private readonly headReads = new Map<string, { now: Date; claims: number; read: Promise<HeadRead> }>();
  private headReadCalls = 0;

  /** claim-n.lua calls this store has made: per claim served, how much claimers raced (about 1 when they do not). */
  get claimScriptCalls(): number {
    return this.claimCalls;
  }

  /** Lane-head reads (one pipeline over the shards each) this store has sent: at most one per claim, fewer when claims come together. */
  get claimHeadReads(): number {
    return this.headReadCalls;
  }

  constructor(
    private readonly redis: RedisClient,
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
    const found = await Promise.all(ids.map((id) => this.decision(caseId, id)));
    return found.filter((d): d is DecisionRecord => d !== undefined);
  }

  async appeals(caseId: string): Promise<unknown[]> {
    return (await this.redis.lrange(this.keys.caseAppeals(caseId), 0, -1)).map((a) => JSON.parse(a) as unknown);
  }

  /** A decision, in the shard of the case it decides. */
  async decision(caseId: string, decisionId: string): Promise<DecisionRecord | undefined> {
    return decisionFromHash(await this.redis.hgetall(this.keys.decision(caseId, decisionId)));
  }

  /**
   * Up to `max` of a case's reports (all of them when it has no more), for
   * a statement of reasons: a post reported thousands of times costs one
   * bounded read. `complete` says whether these are all of them.
   */
  async reportsUpTo(caseId: string, max: number): Promise<{ reports: ReportJob[]; complete: boolean }> {
    const key = this.keys.caseReports(caseId);
    if ((await this.redis.hlen(key)) <= max) return { reports: await this.reports(caseId), complete: true };
    const out: ReportJob[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(key, cursor, 'COUNT', 100);
      cursor = next;
      for (let k = 1; k < flat.length && out.length < max; k += 2) out.push(JSON.parse(flat[k] as string) as ReportJob);
    } while (cursor !== '0' && out.length < max);
    return { reports: out.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt)), complete: false };
  }

  /**
   * The latest decision recorded on the case before `decisionId` that was
   * not an escalation, looking back over the case's last `max` decisions
   * (undefined when there is none, or `decisionId` is older than those).
   */
  async decisionBefore(caseId: string, decisionId: string, max = 50): Promise<DecisionRecord | undefined> {
    const ids = await this.redis.lrange(this.keys.caseDecisions(caseId), -max, -1);
    const at = ids.lastIndexOf(decisionId);
    if (at === -1) return undefined;
    for (const id of ids.slice(0, at).reverse()) {
      const d = await this.decision(caseId, id);
      if (d && d.action !== 'escalate') return d;
    }
    return undefined;
  }

  async fold(i: FoldInput): Promise<FoldOutcome> {
    const call = foldCall(this.keys, i);
    return foldOutcome(await runScript(this.redis, call.name, call.keys, call.args));
  }

  /**
   * Several folds in one round trip (a pipeline; one per master on a
   * cluster), each as `fold` would run it, in order: each its own script
   * call, so each is atomic with its audit event and its compare-and-set
   * alone. Every fold has its own outcome, or the error it failed with.
   */
  async foldAll(inputs: readonly FoldInput[]): Promise<(FoldOutcome | Error)[]> {
    const settled = await runScriptsSettled(this.redis, inputs.map((i) => foldCall(this.keys, i)));
    return settled.map(([err, r]) => err ?? foldOutcome(r));
  }

  /** Returns expired leases' cases to their lanes (at most `max` per shard). */
  async reap(now = new Date(), max = REAP_PER_SHARD): Promise<number> {
    const expired = await pipelined<string[]>(this.redis, this.keys.shards.map((s) => ({ key: s.leases, add: (p) => p.zrangebyscore(s.leases, '-inf', now.getTime(), 'LIMIT', 0, max) })));
    return this.reapCases(expired.flat(), now);
  }

  /** Runs reap-lease on cases found among the expired leases (one pipeline): each is checked again there, atomically. */
  private async reapCases(caseIds: string[], now: Date): Promise<number> {
    const res = await runScripts(
      this.redis,
      caseIds.map((id) => {
        const k = this.keys.shardOf(id);
        return { name: 'reap-lease', keys: [k.case(id), k.leases, k.dirty, k.audit, ...laneKeys(k)], args: [LANE_NAMES, id, now.getTime(), now.toISOString()] };
      }),
    );
    return res.filter((r) => Number(r) === 1).length;
  }

  /**
   * The next case on `lane` this moderator may take, leased to them, with
   * the case itself; undefined when there is none. The best head across
   * shards wins (docs/architecture.md, "Claiming across shards"):
   *
   * 1. One round trip reads, in every shard, the expired leases and the
   *    lane's first heads with their scores; expired leases go back to their
   *    lanes first (and the heads are read again, with them). Concurrent
   *    claims of this process share that read (readHeads).
   * 2. The heads are merged in claim order (compareHeads). The shard of the
   *    best head gets claim-n.lua with its run of heads: those that come
   *    before any other shard's head. The script leases the first still
   *    open that is not the moderator's own appeal, atomically, so no case
   *    is ever claimed twice.
   *    Heads another claim of this process is trying at the moment are
   *    tried last, so concurrent claimers take the best heads side by side.
   * 3. When the whole run was taken meanwhile (or is the moderator's own
   *    appeals), the next run is tried; when the heads read are used up and
   *    some shard may hold more, they are read again, deeper (bounded).
   *
   * `formerActors`: the moderator's earlier identities (a migrated token's "role:name"), so their own appeals are skipped under those too.
   */
  async claim(lane: Lane, moderatorId: string, now = new Date(), formerActors: readonly string[] = []): Promise<{ lease: Lease; case: CaseRecord } | undefined> {
    const shards = this.keys.shards;
    const token = newLeaseToken();
    const rotation = this.rotation;
    this.rotation = (this.rotation + 1) % shards.length;
    let reap = true;
    let depth = CLAIM_HEADS_PER_SHARD;
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const read = await this.readHeads(lane, depth, reap, now);
      reap = false;
      const heads = read.heads.slice().sort((a, b) => compareHeads(a, b, rotation, shards.length));
      // Heads another claim of this process is trying now go last: concurrent claimers spread over the best
      // heads instead of all racing for the first (each lost race cost a script call: ~n² calls for n claimers).
      const free = heads.filter((h) => !this.attempting.has(h.caseId));
      const ordered = free.length === heads.length ? heads : [...free, ...heads.filter((h) => this.attempting.has(h.caseId))];
      for (let at = 0; at < ordered.length; ) {
        const shard = (ordered[at] as LaneHead).shard;
        let end = at;
        while (end < ordered.length && end - at < MAX_RUN && (ordered[end] as LaneHead).shard === shard) end++;
        const run = ordered.slice(at, end).map((h) => h.caseId);
        at = end;
        for (const id of run) this.attempting.set(id, (this.attempting.get(id) ?? 0) + 1);
        let claimed;
        try {
          claimed = await this.claimIn(shards[shard] as CaseShardKeys, lane, run, moderatorId, token, now, formerActors);
        } finally {
          for (const id of run) {
            const n = (this.attempting.get(id) ?? 1) - 1;
            if (n > 0) this.attempting.set(id, n);
            else this.attempting.delete(id);
          }
        }
        if (claimed) return claimed;
      }
      // Every shard's lane was read to its end: nothing left this moderator may take.
      if (read.complete) return undefined;
      depth *= 4;
    }
    return undefined;
  }

  /**
   * The lane heads for a claim, read together with those of every other
   * claim of this process that asks for the same lane, depth and reap
   * within the same turn of the event loop: one pipeline (and one reap)
   * for a burst of concurrent claims instead of one each (16 shards: 32
   * commands a claim). The read is sent after the last claim joined, so
   * none gets heads older than a read of its own would be; `now` for the
   * leases is the latest of the claims' (all of them this moment).
   */
  private readHeads(lane: Lane, depth: number, reap: boolean, now: Date): Promise<HeadRead> {
    const key = `${lane} ${depth} ${reap ? 1 : 0}`;
    const joined = this.headReads.get(key);
    if (joined) {
      joined.claims++;
      if (now.getTime() > joined.now.getTime()) joined.now = now;
      return joined.read;
    }
    const batch = { now, claims: 1 } as { now: Date; claims: number; read: Promise<HeadRead> };
    batch.read = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.headReads.delete(key);
      // Enough heads for every claim that joined (two each, spread over the shards): with few shards, 50
      // claims on 8 heads a shard would use them up and each read again, deeper. One claim reads `depth`.
      const shards = this.keys.shards.length;
      return this.readHeadsNow(lane, Math.min(MAX_HEADS_PER_SHARD, Math.max(depth, Math.ceil((2 * batch.claims) / shards))), reap, batch.now);
    });
    this.headReads.set(key, batch);
    return batch.read;
  }

  /**
   * One round trip reads, in every shard, the lane's first `depth` heads
   * with their scores, and with `reap` the expired leases; expired leases
   * go back to their lanes first, and then the heads are read again.
   */
  private async readHeadsNow(lane: Lane, depth: number, reap: boolean, now: Date): Promise<HeadRead> {
    const shards = this.keys.shards;
    this.headReadCalls++;
    for (;;) {
      const read: Routed[] = [];
      for (const shard of shards) {
        if (reap) read.push({ key: shard.leases, add: (p) => p.zrangebyscore(shard.leases, '-inf', now.getTime(), 'LIMIT', 0, REAP_PER_SHARD) });
        read.push({ key: shard.lane(lane), add: (p) => p.zrange(shard.lane(lane), 0, depth - 1, 'WITHSCORES') });
      }
      const res = await pipelined<string[]>(this.redis, read);
      const lists = reap ? res.filter((_, i) => i % 2 === 1) : res;
      if (reap) {
        reap = false;
        const expired = res.filter((_, i) => i % 2 === 0).flat();
        // Cases went back to their lanes: read the heads again, with them.
        if (expired.length > 0 && (await this.reapCases(expired, now)) > 0) continue;
      }
      const heads: LaneHead[] = [];
      lists.forEach((flat, shard) => {
        for (let i = 0; i + 1 < flat.length; i += 2) heads.push({ caseId: flat[i] as string, score: Number(flat[i + 1]), shard });
      });
      return { heads, complete: lists.every((flat) => flat.length < depth * 2) };
    }
  }

  /** claim-n.lua on one shard's run of heads. */
  private async claimIn(
    k: CaseShardKeys,
    lane: Lane,
    candidates: string[],
    moderatorId: string,
    token: string,
    now: Date,
    formerActors: readonly string[],
  ): Promise<{ lease: Lease; case: CaseRecord } | undefined> {
    this.claimCalls++;
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
    if (r[0] !== 1) return undefined;
    const caseId = r[1];
    const c = caseFromHash(hashOf(r[3] ?? []));
    if (!c) throw new Error(`claimed case ${caseId} has no record`);
    return { lease: { caseId, token, expiresAt: new Date(Number(r[2])).toISOString() }, case: c };
  }

  async heartbeat(caseId: string, token: string, now = new Date()): Promise<Lease> {
    const k = this.keys.shardOf(caseId);
    const r = await runScript(this.redis, 'heartbeat', [k.case(caseId), k.leases], [caseId, token, now.getTime(), this.leaseMs]);
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
    const k = this.keys.shardOf(caseId);
    const r = await runScript(this.redis, 'release', [k.case(caseId), k.leases, k.dirty, k.audit, ...laneKeys(k)], [LANE_NAMES, caseId, token, now.getTime(), JSON.stringify(audit)]);
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
    const k = this.keys.shardOf(caseId);
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
    const k = this.keys.shardOf(caseId);
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
    const k = this.keys.shardOf(c.id);
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
  async recordAction(caseId: string, decisionId: string, appliedAt: Date, latencyMs: number, audit: AuditEventInput): Promise<boolean> {
    const buckets = [...TAKEDOWN_LATENCY_BUCKETS_MS.map(String), '+Inf'].join(',');
    const k = this.keys.shardOf(caseId);
    const r = await runScript(this.redis, 'record-action', [k.decision(decisionId), k.outbox, k.takedownLatency, k.audit], [
      decisionId,
      appliedAt.getTime(),
      Math.max(0, Math.round(latencyMs)),
      buckets,
      JSON.stringify(audit),
    ]);
    return Number(r) === 1;
  }

  /** Decisions recorded more than `olderThanMs` ago and not yet applied (at most `max` per shard), read from their shards. */
  async staleOutbox(olderThanMs: number, now = new Date(), max = 100): Promise<DecisionRecord[]> {
    const shards = this.keys.shards;
    const ids = await pipelined<string[]>(this.redis, shards.map((s) => ({ key: s.outbox, add: (p) => p.zrangebyscore(s.outbox, '-inf', now.getTime() - olderThanMs, 'LIMIT', 0, max) })));
    const wanted = ids.flatMap((list, shard) => list.map((id) => (shards[shard] as CaseShardKeys).decision(id)));
    const read = await pipelined<Record<string, string>>(this.redis, wanted.map((key) => ({ key, add: (p) => p.hgetall(key) })));
    return read.map((h) => decisionFromHash(h)).filter((d): d is DecisionRecord => d !== undefined);
  }

  /** Open cases and the oldest wait per lane, over every shard (one round trip). */
  async laneStats(now = new Date()): Promise<LaneStats[]> {
    const shards = this.keys.shards;
    const read: Routed[] = [];
    for (const shard of shards) {
      for (const lane of LANES) {
        read.push({ key: shard.lane(lane), add: (p) => p.zcard(shard.lane(lane)) });
        read.push({ key: shard.laneAge(lane), add: (p) => p.zrange(shard.laneAge(lane), 0, 0, 'WITHSCORES') });
      }
    }
    const res = await pipelined<number | string[]>(this.redis, read);
    return LANES.map((lane, l) => {
      let depth = 0;
      let since: number | undefined;
      for (let s = 0; s < shards.length; s++) {
        const at = (s * LANES.length + l) * 2;
        depth += Number(res[at] ?? 0);
        const oldest = res[at + 1] as string[] | undefined;
        if (oldest?.[1] !== undefined) since = Math.min(since ?? Infinity, Number(oldest[1]));
      }
      return { lane, depth, oldestAgeSeconds: since === undefined ? 0 : Math.max(0, (now.getTime() - since) / 1000) };
    });
  }

  /**
   * Takes up to `max` case ids changed since they were last mirrored to
   * Elasticsearch, an even share from each shard; `full` when some shard
   * gave its whole share (more may be waiting).
   */
  async takeDirty(max: number): Promise<{ ids: string[]; full: boolean }> {
    const share = Math.max(1, Math.floor(max / this.keys.shards.length));
    const res = await this.eachShard<string[]>((s) => s.dirty, (p, s) => p.spop(s.dirty, share));
    return { ids: res.flat(), full: res.some((ids) => ids.length >= share) };
  }

  async markDirty(caseIds: string[]): Promise<void> {
    if (caseIds.length === 0) return;
    await pipelined(this.redis, caseIds.map((id) => ({ key: this.keys.shardOf(id).dirty, add: (p) => p.sadd(this.keys.shardOf(id).dirty, id) })));
  }

  /** How many cases await mirroring, over every shard. */
  async dirtyCount(): Promise<number> {
    return this.sum((s) => s.dirty, (p, s) => p.scard(s.dirty));
  }

  /** The case ids awaiting mirroring (callers check dirtyCount against their bound first). */
  async dirtyCaseIds(): Promise<string[]> {
    return (await this.eachShard<string[]>((s) => s.dirty, (p, s) => p.smembers(s.dirty))).flat();
  }

  /** Every case in the store (the cases index of each shard). */
  async caseCount(): Promise<number> {
    return this.sum((s) => s.cases, (p, s) => p.zcard(s.cases));
  }

  /** Cases claimed now. */
  async leaseCount(): Promise<number> {
    return this.sum((s) => s.leases, (p, s) => p.zcard(s.leases));
  }

  /** The ids of claimed cases (leases are few: one per moderator at work), at most `max` per shard. */
  async leasedCaseIds(max = 10_000): Promise<string[]> {
    return (await this.eachShard<string[]>((s) => s.leases, (p, s) => p.zrange(s.leases, 0, max - 1))).flat();
  }

  /** Decisions recorded, not yet applied (the outboxes). */
  async unappliedCount(): Promise<number> {
    return this.sum((s) => s.outbox, (p, s) => p.zcard(s.outbox));
  }

  /** Decisions recorded by action, over every shard: all of them, or those outside csam. */
  async decisionCounts(which: 'all' | 'outside-csam'): Promise<Record<string, number>> {
    return this.sumHashes((s) => (which === 'all' ? s.decisionCounts : s.decisionCountsOutsideCsam));
  }

  /** The decision-to-takedown histogram (le:<ms>, sum, count), over every shard. */
  async takedownLatency(): Promise<Record<string, number>> {
    return this.sumHashes((s) => s.takedownLatency);
  }

  /** One command per shard (routed by the key `key` names), in one round trip: see pipelined. */
  private eachShard<T>(key: (s: CaseShardKeys) => string, add: (p: ChainableCommander, s: CaseShardKeys) => void): Promise<T[]> {
    return pipelined<T>(this.redis, this.keys.shards.map((s) => ({ key: key(s), add: (p) => add(p, s) })));
  }

  private async sum(key: (s: CaseShardKeys) => string, add: (p: ChainableCommander, s: CaseShardKeys) => void): Promise<number> {
    const res = await this.eachShard<number>(key, add);
    return res.reduce((a, b) => a + Number(b), 0);
  }

  private async sumHashes(key: (s: CaseShardKeys) => string): Promise<Record<string, number>> {
    const res = await this.eachShard<Record<string, string>>(key, (p, s) => p.hgetall(key(s)));
    const out: Record<string, number> = {};
    for (const h of res) for (const [field, n] of Object.entries(h)) out[field] = (Object.hasOwn(out, field) ? (out[field] as number) : 0) + Number(n);
    return out;
  }
}

/** Every lane's key, then every lane's age key, in LANES order (the scripts that may touch any lane take them all). */
function laneKeys(k: CaseShardKeys): string[] {
  return [...LANES.map((l) => k.lane(l)), ...LANES.map((l) => k.laneAge(l))];
}

function hashOf(flat: string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
  return hash;
}

export function categoryMovePending(caseId: string): ConflictError {
  const e = new ConflictError(`case ${caseId} has a category move awaiting confirmation; confirm or reject it first (POST /v1/cases/${caseId}/category-move/confirm)`, 'category_move_pending', 'category');
  e.details = { confirm: `POST /v1/cases/${caseId}/category-move/confirm` };
  return e;
}

function leaseConflict(caseId: string): ConflictError {
  return new ConflictError(`no live lease on case ${caseId} with this token (expired, released or never held)`, 'lease_conflict', 'leaseToken');
}

/** The fold-report script call for one fold. */
function foldCall(keys: ModerationKeys, i: FoldInput): ScriptCall {
  const fields = Object.entries(caseToFields(i.fields)).flat();
  const decision = i.autoDecision ? Object.entries(decisionToFields(i.autoDecision)).flat() : [];
  const k = keys.shardOf(i.caseId);
  return {
    name: 'fold-report',
    keys: [
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
      ...laneKeys(k),
    ],
    args: [
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
  };
}

function foldOutcome(reply: unknown): FoldOutcome {
  const r = reply as [number, string | number | string[]];
  if (r[0] === 1) return { result: 'folded', rev: Number(r[1]) };
  if (r[0] === 0) return { result: 'duplicate' };
  const flat = r[1] as string[];
  const hash: Record<string, string> = {};
  for (let k = 0; k + 1 < flat.length; k += 2) hash[flat[k] as string] = flat[k + 1] as string;
  return { result: 'conflict', current: caseFromHash(hash) };
}
