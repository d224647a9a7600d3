import { type CatalogQueue, type Logger, type RedisClient, type RulesetStore, type StoredRuleset } from '@takedown/shared';
import { diffEmojiWords, planBackfill, type Rule } from '@takedown/search-rules';

export interface BackfillStarted {
  jobId: string;
  apply: number;
  clear: number;
}

/**
 * Publishes rulesets, each with the backfill it asks for. The plan is made
 * against the rules every scanned document is tagged for (the backfill
 * watermark), not merely the last published version, and re-applies rules
 * an unfinished backfill may have half-tagged. Every publish (the first, a
 * rollback, a change to query rules only) starts a backfill job: it also
 * scans documents written around Takedown (no scannedVersion) and the few
 * written with the previous version while this one was being announced.
 */
export class RulePublisher {
  constructor(
    private readonly o: {
      rulesets: RulesetStore;
      redis: RedisClient;
      backfill: CatalogQueue<'backfill'>;
      logger: Logger;
    },
  ) {}

  async publish(rules: Rule[], actor: string, now: Date, extra: Parameters<RulesetStore['publish']>[3] = {}): Promise<{ stored: StoredRuleset; backfill: BackfillStarted }> {
    const { rulesets, redis } = this.o;
    const keys = rulesets.keys;
    const plan = await this.plan(rules, extra.emojiWords);
    // Hiding and demoting rules enter the pending set *before* the version is
    // announced, so a search instance that loads it filters with them at once,
    // and keeps filtering until the backfill has tagged the documents.
    if (plan.pendingForSearch.length > 0) await redis.hset(keys.backfillPending, ...plan.pendingForSearch.flatMap((id) => [id, 'publishing']));
    const stored = await rulesets.publish(rules, actor, now, extra);
    const v = String(stored.version);
    const touched = [...new Set([...plan.apply, ...plan.clear])];
    const pipe = redis.pipeline();
    if (plan.pendingForSearch.length > 0) pipe.hset(keys.backfillPending, ...plan.pendingForSearch.flatMap((id) => [id, v]));
    if (touched.length > 0) pipe.hset(keys.backfillInflight, ...touched.flatMap((id) => [id, v]));
    await pipe.exec();
    return { stored, backfill: await this.enqueue(stored.version, plan, plan.sweep ? { sweep: plan.sweep } : {}) };
  }

  /** Publishes the shipped lists (or whatever `initial` gives) as the first version of a new install; at most one process does. */
  async publishFirst(initial: () => Rule[], actor: string): Promise<StoredRuleset | undefined> {
    if (!(await this.o.rulesets.claimFirstPublish())) return undefined;
    return (await this.publish(initial(), actor, new Date(), { note: 'first version: the shipped lists' })).stored;
  }

  /**
   * At boot: when the live version was never fully back-filled (an upgrade
   * from before every publish back-filled, or a job lost with its Redis),
   * starts its backfill. The job id dedupes, so a job already there is kept.
   */
  async backfillIfBehind(): Promise<BackfillStarted | undefined> {
    const current = await this.o.rulesets.current();
    if (!current) return undefined;
    const through = await this.o.rulesets.backfilledThrough();
    if (through !== undefined && through >= current.version) return undefined;
    const plan = await this.plan(current.rules as Rule[], current.emojiWords);
    // As at a publish: the search filters with the hiding and demoting rules until the backfill has tagged.
    if (plan.pendingForSearch.length > 0) await this.o.redis.hset(this.o.rulesets.keys.backfillPending, ...plan.pendingForSearch.flatMap((id) => [id, String(current.version)]));
    const started = await this.enqueue(current.version, plan, plan.sweep ? { sweep: plan.sweep } : {});
    this.o.logger.info({ version: current.version, through: through ?? null, ...started }, 'the live ruleset was not back-filled; started its backfill');
    return started;
  }

  /**
   * At boot: when documents may have been normalised by an older normaliser
   * (the version recorded at the last full rescan is older, or none is
   * recorded while a ruleset is live), starts a full rescan so their stored
   * normalised text matches what rules are compared with in Elasticsearch.
   * `installedNow`: this boot published the first version, so no document
   * was normalised before; the version is recorded without a rescan.
   */
  async rescanIfNormalizerChanged(version: number, installedNow: boolean): Promise<BackfillStarted | undefined> {
    const { rulesets, redis, logger } = this.o;
    const recorded = await redis.get(rulesets.keys.normalizedWith);
    if (recorded !== null && Number(recorded) >= version) return undefined;
    const current = await rulesets.current();
    if (!current) return undefined;
    let started: BackfillStarted | undefined;
    if (!installedNow) {
      const plan = await this.plan(current.rules as Rule[], current.emojiWords);
      // One job per normaliser version and live ruleset: a second API instance booting meanwhile adds nothing.
      started = await this.enqueue(current.version, plan, { sweep: 'all', jobId: `backfill-v${current.version}-normalizer-${version}` });
      logger.info({ from: recorded === null ? null : Number(recorded), to: version, ...started }, 'the normaliser changed since the last full rescan; started one');
    }
    // Recorded once the job is durably queued: the backfill's retries carry it from here.
    await redis.set(rulesets.keys.normalizedWith, String(version));
    return started;
  }

  /**
   * An operator's rescan of the live version: the usual plan against the
   * watermark, and a sweep of every document (`all`) or of those never
   * scanned and written around the last publish (`changed`).
   */
  async rescan(sweep: 'changed' | 'all'): Promise<BackfillStarted | undefined> {
    const current = await this.o.rulesets.current();
    if (!current) return undefined;
    const plan = await this.plan(current.rules as Rule[], current.emojiWords);
    return this.enqueue(current.version, plan, { sweep, jobId: `backfill-v${current.version}-rescan-${Date.now().toString(36)}` });
  }

  private async plan(rules: readonly Rule[], emojiWords: Record<string, string> | undefined) {
    const { rulesets, redis } = this.o;
    const through = await rulesets.backfilledThrough();
    const base = through === undefined ? undefined : await rulesets.get(through);
    const inflight = await redis.hkeys(rulesets.keys.backfillInflight);
    const plan = planBackfill((base?.rules ?? []) as Rule[], rules, inflight);
    // A new emoji table changes every document's normalised text, which the
    // apply pass queries: only a full rescan re-normalises them (a re-check of
    // the rules would query the stale text).
    // Documents were normalised with the watermark's table or the live one (ingest): either differing counts.
    const live = await rulesets.current();
    const emojiChanged = diffEmojiWords(base?.emojiWords, emojiWords) !== undefined || diffEmojiWords(live?.emojiWords, emojiWords) !== undefined;
    // Regex rules added, changed or removed: no query finds their matches, only scanning every document does.
    // pdq hashes added or changed: the apply pass finds exact copies only; near copies need a scan of the documents with media hashes.
    const sweep: 'all' | 'media' | undefined = emojiChanged || plan.fullScan.length > 0 ? 'all' : plan.mediaScan.length > 0 ? 'media' : undefined;
    return { ...plan, emojiChanged, sweep };
  }

  private async enqueue(version: number, plan: { apply: string[]; clear: string[] }, o: { sweep?: 'changed' | 'all' | 'media'; jobId?: string } = {}): Promise<BackfillStarted> {
    const jobId = o.jobId ?? `backfill-v${version}`;
    await this.o.backfill.add({ rulesetVersion: version, apply: plan.apply, clear: plan.clear, ...(o.sweep ? { sweep: o.sweep } : {}) }, { jobId });
    return { jobId, apply: plan.apply.length, clear: plan.clear.length };
  }
}
