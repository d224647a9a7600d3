import type { Client } from '@elastic/elasticsearch';
import type { RedisClient } from '../clients/redis';
import type { Logger } from '../logging/logger';
import { caseFromHash, type CaseRecord } from './case-record';
import { isCsamCase } from './csam';
import type { CaseStore } from './case-store';
import { pipelinedSettled } from './pipelined';

/** The case as listed in Elasticsearch (the cases index): the fields one filters and sorts on. */
export function caseListing(c: CaseRecord): Record<string, unknown> {
  return {
    id: c.id,
    contentId: c.contentId,
    status: c.status,
    lane: c.lane,
    priority: c.priority,
    category: c.category,
    reportCount: c.reportCount,
    reporterTypes: c.reporterTypes,
    ruleIds: [...new Set(c.ruleHits.filter((h) => !h.shadow).map((h) => h.ruleId))],
    authorId: c.content.authorId,
    contentType: c.content.type,
    firstReportedAt: c.firstReportedAt,
    lastReportedAt: c.lastReportedAt,
    lastDecisionId: c.lastDecisionId,
    lastAction: c.lastAction,
    decidedBy: c.decidedBy,
    decidedAt: c.decidedAt,
    leaseHolder: c.lease?.holder,
    appealOf: c.appealOf,
    // Listings filter on this one flag, so they hide exactly what the case page refuses.
    csam: isCsamCase(c),
    categoryMove: c.categoryMove,
    rev: c.rev,
  };
}

/**
 * Copies changed cases from Redis (the source of truth) into the cases
 * index, in bulk, a few times a second. Every Lua script that changes a case
 * marks it dirty; the copy carries the case revision as an external version,
 * so several mirrors running at once (API and triage processes) can never
 * overwrite a newer copy with an older one.
 */
export class CaseMirror {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** The last flush took a full share from some shard: more may be waiting. */
  private more = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly cases: CaseStore,
    private readonly es: Client,
    private readonly index: string,
    private readonly logger: Logger,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.running = true;
    const tick = async () => {
      try {
        while ((await this.flushOnce()) > 0 && this.more) {
          // a full batch: more is waiting
        }
      } catch (err) {
        this.logger.error({ err }, 'case mirror: flush failed; will retry');
      }
      if (this.running) this.timer = setTimeout(() => void tick(), this.intervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.flushOnce().catch(() => 0);
  }

  async flushOnce(max = 500): Promise<number> {
    const { ids, full } = await this.cases.takeDirty(max);
    this.more = full;
    if (ids.length === 0) return 0;
    try {
      const res = await pipelinedSettled(this.redis, ids.map((id) => ({ key: this.cases.keys.case(id), add: (p) => p.hgetall(this.cases.keys.case(id)) })));
      const operations: object[] = [];
      // A case whose read failed (a timeout under load, a key of the wrong type) is tried again
      // later on its own: it neither stops the others being copied nor fails the batch.
      const unread: string[] = [];
      let readError: Error | null = null;
      res.forEach(([err, h], i) => {
        if (err) {
          unread.push(ids[i]!);
          readError = err;
          return;
        }
        const c = caseFromHash(h as Record<string, string>);
        if (!c) return;
        operations.push({ index: { _index: this.index, _id: c.id, version: c.rev, version_type: 'external' } }, caseListing(c));
      });
      if (unread.length > 0) {
        await this.cases.markDirty(unread);
        this.logger.warn({ count: unread.length, err: (readError as Error | null)?.message }, 'case mirror: some cases not read; retrying');
      }
      // Counted as handled: the unread ones only, so a batch that all failed ends the round instead of spinning.
      const handled = ids.length - unread.length;
      if (operations.length === 0) return handled;
      const bulk = await this.es.bulk({ operations });
      if (bulk.errors) {
        const retry = bulk.items
          .map((item) => item.index)
          .filter((i) => i?.error && i.status !== 409)
          .map((i) => i?._id as string);
        if (retry.length > 0) {
          await this.cases.markDirty(retry);
          this.logger.warn({ count: retry.length, error: bulk.items.find((i) => i.index?.error && i.index.status !== 409)?.index?.error?.type }, 'case mirror: some cases not copied; retrying');
        }
      }
      return handled;
    } catch (err) {
      await this.cases.markDirty(ids);
      throw err;
    }
  }
}
