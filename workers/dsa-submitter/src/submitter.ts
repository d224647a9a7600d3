import { addSubmissionStats, runScript, type DueStatement, type Logger, type RedisClient, type StatementSubmissions, type SubmissionCounter, type SubmissionKeys, type SubmissionResult } from '@takedown/shared';
import type { SubmitterMetrics } from './submitter-metrics';
import { backoffMs, retryDelayMs, type BackoffPolicy } from './backoff';
import type { TdbClient } from './tdb-client';

export interface SubmitterOptions {
  /** Statements per call, 1–100. */
  batchSize: number;
  /** Pause after a round that found less than a full batch due. */
  intervalMs: number;
  /** The client's call timeout: the lock outlives one call by a margin. */
  timeoutMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
}

export interface SubmitterDeps {
  statements: StatementSubmissions;
  client: TdbClient;
  redis: RedisClient;
  keys: SubmissionKeys;
  /** This process's lock holder id. */
  instanceId: string;
  logger: Logger;
  now?: () => Date;
  random?: () => number;
  /** Counts this process's rounds and results. */
  metrics?: SubmitterMetrics;
}

/** What one round did. */
export interface RoundResult {
  /** False when another submitter holds the lock (this one did nothing). */
  lockHeld: boolean;
  picked: number;
  calls: number;
  submitted: number;
  duplicates: number;
  rejected: number;
  retried: number;
  failed: number;
  /** The database refused the token: nothing was recorded. */
  authRefused: boolean;
  /** How long to wait before the next round, when the round says so (auth refused, transport failure). */
  pauseMs?: number;
}

/** The lock's time to live beyond one call's timeout: the bookkeeping after the call. */
const LOCK_MARGIN_MS = 30_000;

/**
 * Submits due statements to the Transparency Database, one batch in flight
 * at a time across every submitter process (a Redis lock, renewed before
 * each call). The bookkeeping follows the call, so a crash in between
 * leaves the statements pending: they go again, and the database's
 * duplicate-puid answer then records them as submitted.
 */
export class TdbSubmitter {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: SubmitterDeps,
    private readonly o: SubmitterOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops looping; waits for a round in flight to finish its bookkeeping, then hands the lock on at once (not at its expiry). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.current.catch(() => undefined);
    await runScript(this.deps.redis, 'release-lock', [this.deps.keys.lock], [this.deps.instanceId]).catch(() => undefined);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      const round = this.round().then(
        (r) => {
          this.deps.metrics?.round(r);
          return r.pauseMs !== undefined ? r.pauseMs : r.picked >= this.o.batchSize ? 0 : this.o.intervalMs;
        },
        (err: unknown) => {
          this.deps.metrics?.failed();
          this.deps.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'statement submission round failed');
          return this.o.intervalMs;
        },
      );
      this.current = round;
      void round.then((next) => {
        if (this.running) this.schedule(next);
      });
    }, ms);
  }

  /** One round: takes the lock, picks up to a batch of due statements and submits them until each has a result. */
  async round(): Promise<RoundResult> {
    const r: RoundResult = { lockHeld: false, picked: 0, calls: 0, submitted: 0, duplicates: 0, rejected: 0, retried: 0, failed: 0, authRefused: false };
    if (!(await this.holdLock())) return r;
    r.lockHeld = true;
    const now = this.deps.now ?? (() => new Date());
    let batch = await this.deps.statements.due(this.o.batchSize, now());
    r.picked = batch.length;
    // Halves of a batch refused as a whole, still to send.
    const halves: DueStatement[][] = [];
    // Each call either settles the batch, takes at least one statement out of it, or splits it.
    while (batch.length > 0) {
      if (r.calls > 0 && !(await this.holdLock())) return r;
      const puids = batch.map((d) => d.puid);
      const started = Date.now();
      const outcome = await this.deps.client.submit(
        batch.map((d) => d.doc.statement),
        puids,
      );
      r.calls++;
      const stats: Partial<Record<SubmissionCounter, number>> = { calls: 1 };
      // Statement counters, csam apart (see submission-stats.ts).
      // Counted once recorded: a result that lost to a change made meanwhile (another submitter's, after a lock expired) is not counted.
      const counted: [name: 'submitted' | 'duplicates' | 'rejected' | 'failed' | 'retries', item: DueStatement][] = [];
      const count = (name: (typeof counted)[number][0], item: DueStatement) => counted.push([name, item]);
      const at = now().toISOString();
      const results: { item: DueStatement; result: SubmissionResult }[] = [];
      let rest: DueStatement[] = [];
      switch (outcome.kind) {
        case 'created':
          for (const item of batch) {
            const uuid = outcome.uuids.get(item.puid);
            results.push({ item, result: { kind: 'submitted', at, duplicate: false, ...(uuid ? { tdbUuid: uuid } : {}) } });
            count('submitted', item);
          }
          r.submitted += batch.length;
          break;
        case 'duplicates':
          for (const item of batch) {
            if (outcome.puids.has(item.puid)) {
              results.push({ item, result: { kind: 'submitted', at, duplicate: true } });
              count('duplicates', item);
            } else rest.push(item);
          }
          r.duplicates += results.length;
          break;
        case 'invalid':
          for (const item of batch) {
            const problems = outcome.problems.get(item.puid);
            if (problems) {
              results.push({ item, result: { kind: 'rejected', problems, message: `refused by the Transparency Database: ${problems.map((p) => p.field).join(', ')}` } });
              count('rejected', item);
            } else rest.push(item);
          }
          r.rejected += results.length;
          break;
        case 'unattributed':
          if (batch.length > 1) {
            // No attempt is spent: the halves go in this round, each on its own.
            const mid = Math.ceil(batch.length / 2);
            halves.unshift(batch.slice(0, mid), batch.slice(mid));
          } else {
            const item = batch[0] as DueStatement;
            results.push({ item, result: { kind: 'rejected', problems: [{ field: 'statement', code: 'tdb_rejected', message: outcome.error.slice(0, 1000) }], message: `refused by the Transparency Database: ${outcome.error.slice(0, 200)}` } });
            count('rejected', item);
            r.rejected++;
          }
          break;
        case 'auth':
          // The token is wrong or lacks the permission: no statement is at fault, so none loses an attempt.
          await addSubmissionStats(this.deps.redis, this.deps.keys.stats, { ...stats, auth_failures: 1 }, Date.now() - started);
          this.deps.logger.error({ status: outcome.status, pending: batch.length, retryInMs: this.o.backoff.capMs }, 'the Transparency Database refused the token (check TAKEDOWN_TDB_TOKEN); submission paused');
          return { ...r, authRefused: true, pauseMs: this.o.backoff.capMs };
        case 'transient': {
          let pause = Number.POSITIVE_INFINITY;
          for (const item of batch) {
            const attempts = (item.doc.attempts ?? 0) + 1;
            if (attempts >= this.o.maxAttempts) {
              results.push({ item, result: { kind: 'failed', attempts, error: outcome.error } });
              count('failed', item);
              r.failed++;
            } else {
              const delay = retryDelayMs(attempts, this.o.backoff, outcome.retryAfterMs, this.deps.random);
              pause = Math.min(pause, delay);
              results.push({ item, result: { kind: 'retry', attempts, nextAttemptAt: new Date(now().getTime() + delay).toISOString(), error: outcome.error } });
              count('retries', item);
              r.retried++;
            }
          }
          // The endpoint is struggling: the next round waits too (at least the server's Retry-After).
          r.pauseMs = Number.isFinite(pause) ? pause : (outcome.retryAfterMs ?? backoffMs(1, this.o.backoff, this.deps.random));
          this.deps.logger.warn({ error: outcome.error, statements: batch.length, retried: r.retried, failed: r.failed, pauseMs: r.pauseMs }, 'statement batch not accepted; will retry');
          break;
        }
      }
      const lost = await this.deps.statements.record(results);
      if (lost.length > 0) this.deps.logger.warn({ puids: lost.slice(0, 20), count: lost.length }, 'statements changed while being submitted; their result was not recorded');
      const lostSet = new Set(lost);
      for (const [name, item] of counted) {
        if (lostSet.has(item.puid)) continue;
        const k: SubmissionCounter = item.doc.takedownCategory === 'csam' ? `csam:${name}` : name;
        stats[k] = (stats[k] ?? 0) + 1;
      }
      await addSubmissionStats(this.deps.redis, this.deps.keys.stats, stats, Date.now() - started);
      if (outcome.kind === 'transient') break;
      if (rest.length > 0) halves.unshift(rest);
      batch = halves.shift() ?? [];
      rest = [];
    }
    if (r.picked > 0) this.deps.logger.info({ picked: r.picked, calls: r.calls, submitted: r.submitted, duplicates: r.duplicates, rejected: r.rejected, retried: r.retried, failed: r.failed }, 'statements submitted');
    return r;
  }

  private async holdLock(): Promise<boolean> {
    const held = await runScript(this.deps.redis, 'renew-lock', [this.deps.keys.lock], [this.deps.instanceId, this.o.timeoutMs + LOCK_MARGIN_MS]);
    return Number(held) === 1;
  }
}
