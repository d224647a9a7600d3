import type { Client, estypes } from '@elastic/elasticsearch';
import type { BackfillMetrics } from './backfill-metrics';
import type { Job } from 'bullmq';
import {
  allContentQuery,
  compileStoredRuleset,
  contentRuleQuery,
  contentState,
  decidedVisible,
  isBackfillRule,
  needsScanQuery,
  needsScanOrPdqQuery,
  rulesWantingReview,
  rescanModeration,
  scanContent,
  storedDecision,
  type Rule,
} from '@takedown/search-rules';
import {
  platformContent,
  recordedDecisions,
  runScript,
  scanFieldsOf,
  scanReport,
  type BackfillJob,
  type CatalogQueue,
  type ContentDocument,
  type ModerationKeys,
  type RedisClient,
  type ReportJob,
  type RulesetStore,
} from '@takedown/shared';

export interface BackfillDeps {
  es: Client;
  redis: RedisClient;
  rulesets: RulesetStore;
  /** Decisions recorded in the case store (a swept document gets its decision back). */
  keys: ModerationKeys;
  /** Automated reports for posts newly tagged with rules that want a human. */
  reports: CatalogQueue<'reports'>;
  contentIndex: string;
  docsPerSec: number;
  slices: number;
  /** How long after a publish the sweep starts (TAKEDOWN_BACKFILL_SETTLE_MS). */
  settleMs: number;
  now?: () => number;
  /** Bounded retries of the writes that failed (default: 5 rounds, from 200 ms, doubling). */
  retry?: { rounds: number; backoffMs: number };
  /** Named points where tests inject faults (never set in production). */
  faults?: BackfillFaults;
  /** Progress of the running jobs (the backfill worker's process registry). */
  metrics?: BackfillMetrics;
}

/** Where a bulk write of the backfill is about to go. */
export interface BackfillFaultPoint {
  pass: 'clear' | 'apply' | 'sweep';
  /** 0: the pass itself; 1 and up: a retry of what failed. */
  round: number;
  ids: string[];
}

export interface BackfillFaults {
  /** Runs just before each bulk write, after the page was read. */
  beforeBulk?(point: BackfillFaultPoint): Promise<void>;
}

export interface BackfillProgress {
  phase: 'counting' | 'clearing' | 'applying' | 'sweeping' | 'done' | 'superseded';
  done: number;
  total: number;
  tagged: number;
  cleared: number;
  /** Documents scanned in full (never scanned, or written with an older version while this one was announced). */
  scanned: number;
  /** Automated reports filed for posts that now want a human. */
  reported: number;
  /** Reports refused by their schema (a bug to look at; the post is tagged without its case). */
  invalidReports: number;
  /** Writes refused with a version conflict (re-read and written again). */
  conflicts: number;
  /** Writes that failed otherwise (written again). */
  failedWrites: number;
  /** Documents a pending rule matches still untagged at the last count before finishing (0 when done). */
  untaggedRemaining: number;
  ratePerSec: number;
  etaSeconds: number | null;
}

type Moderation = NonNullable<ContentDocument['moderation']>;
type Doc = Partial<ContentDocument> & Record<string, unknown>;
type Hit = estypes.SearchHit<Doc>;

/**
 * Documents written with an older version from this long before the publish
 * on are swept. Ingest switches versions within a second of a publish, and
 * the targeted passes cover everything written before their scroll began:
 * the margin is for clock skew between the API host (publishedAt) and the
 * ingest hosts (updatedAt). Keep hosts on NTP.
 */
export const SWEEP_SKEW_MS = 30_000;

/** The fields a post's automated report carries: the platform's copy, which triage takes as it is. */
const REPORT_FIELDS = ['id', 'type', 'text', 'authorId', 'channelId', 'lang', 'createdAt', 'media', 'media.sha256', 'media.pdq'];

const DEFAULT_RETRY = { rounds: 5, backoffMs: 200 };


/**
 * The moderation fields of a document re-tagged with `ruleHits` for
 * `version`: the state they give where nobody decided. A document scanned
 * in full before is now current for this version (its other tags were
 * current for the watermark, and only the re-tagged rules changed since).
 */
export function retagged(m: Moderation, ruleHits: string[], rulesById: ReadonlyMap<string, Rule>, version: number, at: number): Moderation {
  const rules = ruleHits.map((id) => rulesById.get(id)).filter((r): r is Rule => r !== undefined);
  const verdict = contentState(rules, at);
  const decided = Boolean(m.decisionId);
  return {
    ...m,
    ruleHits,
    ...(decided ? {} : { state: verdict.state, category: verdict.category ?? null, restrictedIn: verdict.restrictedIn }),
    ...(m.scannedVersion !== undefined ? { scannedVersion: Math.max(m.scannedVersion, version) } : {}),
    updatedAt: new Date(at).toISOString(),
  };
}

/** The stored fields re-tagging reads. */
const TAG_FIELDS = ['moderation.ruleHits', 'moderation.state', 'moderation.decisionId', 'moderation.category', 'moderation.restrictedIn', 'moderation.scannedVersion'];
const APPLY_FIELDS = [...TAG_FIELDS, ...REPORT_FIELDS];

/**
 * Brings the content index in line with a published version, in three
 * passes, each a set of sliced scrolls, throttled to docsPerSec, with
 * per-document optimistic concurrency (a document changed meanwhile was
 * written by ingest with the live rules, or by a decision: it is skipped):
 *   1. clear: tags of rules removed or changed since the watermark go;
 *   2. apply: documents the added or changed rules match (the preview's
 *      query, on moderation.normalizedText) are tagged;
 *   3. sweep: documents never scanned (no scannedVersion: written straight
 *      to Elasticsearch, or before Takedown) and documents written with an
 *      older version just after this one was published are scanned in full.
 * Tagging sets the state the rules give where nobody decided, and files an
 * automated report for posts that now hit rules wanting a human. When done,
 * the watermark rises to this version and the search stops filtering with
 * its pending rules at query time. A newer publish supersedes the job: its
 * own backfill covers these rules too.
 */
export async function runBackfill(deps: BackfillDeps, data: BackfillJob, job?: Job): Promise<BackfillProgress> {
  const now = deps.now ?? Date.now;
  const progress: BackfillProgress = { phase: 'counting', done: 0, total: 0, tagged: 0, cleared: 0, scanned: 0, reported: 0, invalidReports: 0, conflicts: 0, failedWrites: 0, untaggedRemaining: 0, ratePerSec: 0, etaSeconds: null };
  const progressKey = deps.rulesets.keys.backfillProgress(String(job?.id ?? `v${data.rulesetVersion}`));
  const started = now();
  const report = async () => {
    const seconds = Math.max(0.001, (now() - started) / 1000);
    progress.ratePerSec = Math.round(progress.done / seconds);
    progress.etaSeconds = progress.ratePerSec > 0 ? Math.round(Math.max(0, progress.total - progress.done) / progress.ratePerSec) : null;
    deps.metrics?.progress(data.rulesetVersion, progress);
    await deps.redis.set(progressKey, JSON.stringify({ ...progress, updatedAt: new Date(now()).toISOString() }), 'EX', 7 * 86400);
    await job?.updateProgress({ ...progress });
  };

  const superseded = async () => ((await deps.rulesets.currentVersion()) ?? 0) > data.rulesetVersion;
  const through = await deps.rulesets.backfilledThrough();
  // A publish's backfill is moot once the watermark reached its version; a rescan (sweep set) is asked for on purpose.
  const done = data.sweep === undefined && through !== undefined && through >= data.rulesetVersion;
  if (done || (await superseded())) {
    progress.phase = 'superseded';
    await report();
    return progress;
  }
  const stored = await deps.rulesets.get(data.rulesetVersion);
  if (!stored) throw new Error(`ruleset version ${data.rulesetVersion} not found`);
  const compiled = compileStoredRuleset(stored, { trusted: true });
  const rulesById = compiled.byId;
  const applyRules = data.apply.map((id) => rulesById.get(id)).filter((r): r is Rule => r !== undefined && isBackfillRule(r));

  const clearQuery: estypes.QueryDslQueryContainer | undefined = data.clear.length > 0 ? { terms: { 'moderation.ruleHits': data.clear } } : undefined;
  /** A rule's query, named after it (matched_queries says which rules a hit matched); `untagged`: only documents lacking its tag. */
  const ruleClause = (r: Rule, untagged = false): estypes.QueryDslQueryContainer => {
    const q = contentRuleQuery(r, compiled.normalizedPatterns[compiled.indexById.get(r.id) as number] ?? '') as { bool: Record<string, unknown> };
    const mustNot = untagged ? [...((q.bool.must_not as object[] | undefined) ?? []), { term: { 'moderation.ruleHits': r.id } }] : q.bool.must_not;
    return { bool: { ...q.bool, ...(mustNot ? { must_not: mustNot } : {}), _name: r.id } } as estypes.QueryDslQueryContainer;
  };
  const anyOf = (rules: readonly Rule[], untagged = false): estypes.QueryDslQueryContainer | undefined =>
    rules.length > 0 ? { bool: { should: rules.map((r) => ruleClause(r, untagged)), minimum_should_match: 1 } } : undefined;
  const applyQuery = anyOf(applyRules);
  const since = Date.parse(stored.publishedAt) - SWEEP_SKEW_MS;
  const sweepQuery = (data.sweep === 'all' ? allContentQuery() : data.sweep === 'media' ? needsScanOrPdqQuery(data.rulesetVersion, since) : needsScanQuery(data.rulesetVersion, since)) as estypes.QueryDslQueryContainer;

  const count = async (q?: estypes.QueryDslQueryContainer) => (q ? (await deps.es.count({ index: deps.contentIndex, query: q })).count : 0);
  progress.total = (await count(clearQuery)) + (await count(applyQuery));
  await report();

  // Throttle shared by the slices: at most docsPerSec documents per second.
  let budgetStart = now();
  let budgetUsed = 0;
  const throttle = async (n: number) => {
    budgetUsed += n;
    const due = budgetStart + (budgetUsed / deps.docsPerSec) * 1000;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (now() - budgetStart > 10_000) {
      budgetStart = now();
      budgetUsed = 0;
    }
  };

  let stop = false;
  let pages = 0;
  const retry = deps.retry ?? DEFAULT_RETRY;
  type OnPage = (hits: Hit[]) => Promise<{ operations: object[]; reports: ReportJob[] }>;

  /**
   * Writes a page's updates. Returns the ids whose write failed and must be
   * read again: a 409 (the document changed since it was read), any other
   * refusal, or the whole request failing. A 404 is a document deleted
   * meanwhile: nothing left to tag.
   */
  const write = async (pass: BackfillFaultPoint['pass'], round: number, operations: object[]): Promise<string[]> => {
    const ids = operations.flatMap((op) => ('update' in op ? [(op as { update: { _id: string } }).update._id] : []));
    await deps.faults?.beforeBulk?.({ pass, round, ids });
    let bulk: estypes.BulkResponse;
    try {
      bulk = await deps.es.bulk({ operations });
    } catch {
      progress.failedWrites += ids.length;
      return ids;
    }
    const failed: string[] = [];
    for (const item of bulk.items) {
      const r = item.update;
      if (!r?.error || r.status === 404) continue;
      if (r.status === 409) progress.conflicts++;
      else progress.failedWrites++;
      failed.push(r._id as string);
    }
    return failed;
  };

  /** Scrolls `query` in slices; `onPage` turns a page into bulk operations and reports. Returns the ids whose write failed. */
  const scanOnce = async (pass: BackfillFaultPoint['pass'], round: number, query: estypes.QueryDslQueryContainer, source: string[] | true, onPage: OnPage): Promise<string[]> => {
    const failed: string[] = [];
    await Promise.all(
      Array.from({ length: deps.slices }, async (_, slice) => {
        let res = await deps.es.search<Doc>({
          index: deps.contentIndex,
          scroll: '2m',
          size: 500,
          query,
          sort: ['_doc'],
          seq_no_primary_term: true,
          _source: source,
          ...(deps.slices > 1 ? { slice: { id: slice, max: deps.slices } } : {}),
        });
        try {
          while (res.hits.hits.length > 0 && !stop) {
            const hits = res.hits.hits;
            await throttle(hits.length);
            const { operations, reports } = await onPage(hits);
            if (operations.length > 0) failed.push(...(await write(pass, round, operations)));
            if (reports.length > 0) {
              const { added, invalid } = await deps.reports.addValid(reports.map((r) => ({ data: r, opts: { jobId: r.reportId } })));
              progress.reported += added;
              progress.invalidReports += invalid.length;
            }
            if (round === 0) progress.done += hits.length;
            await report();
            // A newer publish plans its own backfill over these rules: stop early.
            if (++pages % 10 === 0 && (await superseded())) stop = true;
            if (!res._scroll_id || stop) break;
            res = await deps.es.scroll<Doc>({ scroll_id: res._scroll_id, scroll: '2m' });
          }
        } finally {
          if (res._scroll_id) await deps.es.clearScroll({ scroll_id: res._scroll_id }).catch(() => undefined);
        }
      }),
    );
    return failed;
  };

  /**
   * One pass: the scroll, then the documents whose write failed, read again
   * (fresh contents and seq_no, still matching `query`) and written again,
   * with a doubling backoff, for a bounded number of rounds. Throws when
   * writes still fail: the job fails (BullMQ retries it) and the rules stay pending.
   */
  const scan = async (pass: BackfillFaultPoint['pass'], query: estypes.QueryDslQueryContainer, source: string[] | true, onPage: OnPage) => {
    let failed = await scanOnce(pass, 0, query, source, onPage);
    for (let round = 1; failed.length > 0 && !stop; round++) {
      if (round > retry.rounds) throw new Error(`backfill of version ${data.rulesetVersion}: ${failed.length} writes of the ${pass} pass failed after ${retry.rounds} retries`);
      await new Promise((r) => setTimeout(r, retry.backoffMs * 2 ** (round - 1)));
      await deps.es.indices.refresh({ index: deps.contentIndex });
      failed = await scanOnce(pass, round, { bool: { filter: [query, { ids: { values: [...new Set(failed)] } }] } }, source, onPage);
    }
  };

  const update = (h: Hit, moderation: Moderation) => [{ update: { _index: h._index, _id: h._id as string, if_seq_no: h._seq_no, if_primary_term: h._primary_term } }, { doc: { moderation } }];
  /** The automated report for a post newly tagged with rules that want a human (a kept post: with rules that would hide it). */
  const reportFor = (h: Hit, rules: readonly Rule[], kept: boolean, at: string): ReportJob[] => {
    const wanting = rulesWantingReview(rules, kept);
    return wanting.length > 0 ? [scanReport(platformContent(h._id as string, h._source ?? {}), wanting, data.rulesetVersion, at, 'backfill')] : [];
  };

  /** Tags the rules each hit matched (named clauses) and it lacks. */
  const applyPage: OnPage = async (hits) => {
    const operations: object[] = [];
    const reports: ReportJob[] = [];
    const at = new Date(now()).toISOString();
    for (const h of hits) {
      const matched = (h.matched_queries as string[] | undefined) ?? [];
      const m = h._source?.moderation ?? {};
      const existing = m.ruleHits ?? [];
      const added = matched.filter((id) => !existing.includes(id));
      if (added.length === 0) continue;
      progress.tagged++;
      operations.push(...update(h, retagged(m, [...existing, ...added].sort(), rulesById, data.rulesetVersion, now())));
      reports.push(...reportFor(h, added.map((id) => rulesById.get(id) as Rule), decidedVisible(m), at));
    }
    return { operations, reports };
  };

  if (clearQuery) {
    progress.phase = 'clearing';
    const clearing = new Set(data.clear);
    await scan('clear', clearQuery, TAG_FIELDS, async (hits) => ({
      operations: hits.flatMap((h) => {
        progress.cleared++;
        const m = h._source?.moderation ?? {};
        return update(h, retagged(m, (m.ruleHits ?? []).filter((id) => !clearing.has(id)), rulesById, data.rulesetVersion, now()));
      }),
      reports: [],
    }));
  }
  if (applyQuery && !stop) {
    progress.phase = 'applying';
    await scan('apply', applyQuery, APPLY_FIELDS, applyPage);
  }
  if (!stop) {
    progress.phase = 'sweeping';
    // Ingest instances write with the previous version for at most their staleness limit after a publish
    // (in-flight bulks rescan themselves when the version changes under them): sweep once that has passed.
    const settle = Date.parse(stored.publishedAt) + deps.settleMs - now();
    if (settle > 0) await new Promise((r) => setTimeout(r, settle));
    // Counted now, not at the start: the passes above made most recently written documents current.
    await deps.es.indices.refresh({ index: deps.contentIndex });
    progress.total += await count(sweepQuery);
    await report();
    await scan('sweep', sweepQuery, true, async (hits) => {
      const at = new Date(now()).toISOString();
      const decided = await recordedDecisions(deps.redis, deps.keys, hits.map((h) => h._id as string), at);
      const operations: object[] = [];
      const reports: ReportJob[] = [];
      for (const h of hits) {
        progress.scanned++;
        const doc = h._source ?? {};
        const scan = scanContent(compiled, scanFieldsOf(doc), Date.parse(at));
        const rules = scan.ruleHits.map((id) => rulesById.get(id)).filter((r): r is Rule => r !== undefined);
        const decision = decided.get(h._id as string) ?? storedDecision(doc.moderation);
        const { moderation, wanting, changedSince } = rescanModeration({ scan, rules, decision, stored: doc.moderation, version: data.rulesetVersion, at });
        operations.push(...update(h, moderation));
        if (wanting.length > 0) reports.push(scanReport(platformContent(h._id as string, doc), wanting, data.rulesetVersion, at, 'backfill', changedSince));
      }
      return { operations, reports };
    });
  }

  if (stop) {
    progress.phase = 'superseded';
    await report();
    return progress;
  }
  // Pending rules leave the search's query-time filter only once a count
  // shows no document they match is left untagged: the entries are read
  // first, then counted, and the script drops only those entries, and only
  // if unchanged since (a publish meanwhile re-marks them and they stay).
  const k = deps.rulesets.keys;
  const observed = Object.entries(await deps.redis.hgetall(k.backfillPending)).filter(([, at]) => Number(at) <= data.rulesetVersion);
  const checked = new Map(applyRules.map((r) => [r.id, r]));
  for (const [id] of observed) {
    const r = rulesById.get(id);
    if (r && isBackfillRule(r)) checked.set(id, r);
  }
  const untaggedQuery = anyOf([...checked.values()], true);
  for (let round = 0; ; round++) {
    // The tags must be searchable before query-time filtering stops (and before the count).
    await deps.es.indices.refresh({ index: deps.contentIndex });
    const remaining = await count(untaggedQuery);
    if (remaining === 0) break;
    if (round >= retry.rounds) throw new Error(`backfill of version ${data.rulesetVersion}: ${remaining} matching documents still untagged after ${retry.rounds} rounds; the rules stay pending`);
    progress.untaggedRemaining = remaining;
    await scan('apply', untaggedQuery as estypes.QueryDslQueryContainer, APPLY_FIELDS, applyPage);
    if (stop) {
      progress.phase = 'superseded';
      await report();
      return progress;
    }
  }
  progress.untaggedRemaining = 0;
  await runScript(deps.redis, 'finish-backfill', [k.backfillThrough, k.backfillInflight, k.backfillPending], [data.rulesetVersion, ...observed.flat()]);
  progress.phase = 'done';
  progress.etaSeconds = 0;
  await report();
  return progress;
}

