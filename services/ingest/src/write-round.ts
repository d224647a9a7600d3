import type { Client, estypes } from '@elastic/elasticsearch';
import {
  PartialAddError,
  UnavailableError,
  platformContent,
  recordShadowHits,
  recordedDecisions,
  scanFieldsOf,
  scanReport,
  upstreamFailure,
  type CatalogQueue,
  type ContentDocument,
  type LiveRuleset,
  type Loaded,
  type Logger,
  type ModerationKeys,
  type RedisClient,
  type ReportJob,
  type RulesetKeys,
} from '@takedown/shared';
import { rescanModeration, scanContent, storedDecision, type CompiledRuleset, type Rule } from '@takedown/search-rules';
import type { IdLocks } from './id-locks';
import type { IngestMetrics } from './ingest-metrics';
import { conflict, errorItem, notFound, safeError, type ItemResponse } from './item-answers';
import type { ReadFirst } from './read-first';
import { checkDocument, mergeDoc, withModerationJson, type WriteItem } from './write-item';

export interface IngestContext {
  es: Client;
  /** Decisions and shadow counts (request path: fails fast). */
  redis: RedisClient;
  keys: ModerationKeys;
  rulesetKeys: RulesetKeys;
  rules: LiveRuleset<CompiledRuleset>;
  reports: CatalogQueue<'reports'>;
  maxStalenessMs: number;
  /**
   * How long a round's mget and bulk may wait for Elasticsearch. Not retried:
   * a retried bulk after a timeout could run a `create` that already landed
   * and report a conflict for it; the caller retries the request instead.
   */
  esTimeoutMs: number;
  logger: Logger;
  metrics: IngestMetrics;
  /** Serialises this process's writes of one id. */
  locks: IdLocks;
  /** Whether index and create items are read before they are written (see ReadFirst). */
  readFirst: ReadFirst;
  now?: () => Date;
}

/** Query parameters passed on to Elasticsearch's bulk write. */
export type WriteParams = Pick<estypes.BulkRequest, 'refresh' | 'timeout' | 'wait_for_active_shards'>;

/**
 * Times an item is read and written again after losing an
 * optimistic-concurrency race (with the actions worker or the backfill, or
 * another ingest instance: this one serialises its own writes per id).
 */
export const MAX_ATTEMPTS = 10;

type Moderation = NonNullable<ContentDocument['moderation']>;
type Source = Record<string, unknown> & { moderation?: Moderation };
type MgetDoc = estypes.MgetResponseItem<Source>;

/** An item written without a read: as if the post were new (a `create`, which fails if it is not). */
const NOT_READ = { _index: '', _id: '', found: false } as MgetDoc;

export interface Pending {
  /** Where its answer goes; -1 for a rescan the caller never asked for (its answer is dropped). */
  pos: number;
  item: WriteItem;
  attempts: number;
}

/** A document this round stored, with what it needs to be scanned and written again (if the rules change). */
export interface Written {
  p: Pending;
  doc: Record<string, unknown>;
  seqNo: number;
  primaryTerm: number;
}

/** What a round sent for one item, to read its answer. */
interface Sent {
  p: Pending;
  /** The post did not exist for the caller (missing, or only a placeholder carrying a decision). */
  fresh: boolean;
  /** Whether it was read before the write (else written as new, optimistically). */
  read: boolean;
  doc?: Record<string, unknown>;
  /** Rules whose hits send this post to a human (an automated report). */
  wanting?: Rule[];
  /** For a kept post that changed since its review: the new text's digest (a report per version). */
  changedSince?: string;
  shadowHits?: { ruleId: string }[];
  state?: string;
}

export interface RoundOutcome {
  /** Items to read and write again (lost races, posts written as new that were there, rules changed mid-round). */
  retry: Pending[];
  /** Documents stored. */
  written: Written[];
}

/**
 * One round over distinct ids: read, scan, write, report.
 *   1. one real-time multi-get of what must be read (updates, conditional
 *      writes, retries, deletes, and every write while recent ones mostly
 *      found their post), and one Redis call for the recorded decisions;
 *   2. each document normalised and matched, its moderation fields from
 *      rescanModeration (a decision outranks the rules);
 *   3. one bulk write, each item conditional on what was read (if_seq_no),
 *      or on its not existing (`create`): a decision applied in between
 *      makes the write lose, and the item goes round again;
 *   4. automated reports for posts that want a human.
 */
export async function writeRound(ctx: IngestContext, loaded: Loaded<CompiledRuleset>, round: Pending[], results: (ItemResponse | undefined)[], params: WriteParams): Promise<RoundOutcome> {
  const { version, compiled } = loaded;
  const at = (ctx.now?.() ?? new Date()).toISOString();
  const answer = (p: Pending, a: ItemResponse) => {
    if (p.pos >= 0) results[p.pos] = a;
  };
  const readFirst = ctx.readFirst.shouldRead;
  const needsRead = (p: Pending) => p.item.op === 'update' || p.item.op === 'delete' || readFirst || p.attempts > 0 || p.item.ifSeqNo !== undefined;
  const reads = round.filter(needsRead);
  const writes = round.filter((p) => p.item.op !== 'delete');
  const tRead = performance.now();
  const [got, decided] = await Promise.all([
    reads.length === 0
      ? Promise.resolve({ docs: [] as MgetDoc[] })
      : ctx.es
          .mget<Source>({
            // Updates and creates need the stored source (a merge; a case to file again); others its moderation.
            docs: reads.map((p) => ({ _index: p.item.index, _id: p.item.id, _source: p.item.op === 'update' || p.item.op === 'create' ? true : ['moderation'] })),
            realtime: true,
          }, { requestTimeout: ctx.esTimeoutMs, maxRetries: 0 })
          .catch((err: unknown) => {
            throw upstreamFailure(err, 'reading the stored documents');
          }),
    recordedDecisions(ctx.redis, ctx.keys, writes.map((p) => p.item.id), at).catch(() => {
      throw new UnavailableError('the case store (Redis) is unavailable: decisions cannot be kept', 'redis_unavailable');
    }),
  ]);
  ctx.metrics.upstream.observe((performance.now() - tRead) / 1000);

  const tScan = performance.now();
  const scanPost = (doc: Record<string, unknown>, stored: Moderation | undefined, id: string) => {
    const scan = scanContent(compiled, scanFieldsOf(doc), Date.parse(at));
    const rules = scan.ruleHits.map((r) => compiled.byId.get(r)).filter((r): r is Rule => r !== undefined);
    return { scan, ...rescanModeration({ scan, rules, decision: decided.get(id) ?? storedDecision(stored), stored, version, at }) };
  };
  // Action objects, and documents as objects or already-serialised JSON (the client sends strings as they are).
  const operations: unknown[] = [];
  const sent: Sent[] = [];
  const reviews: { pos: number; job: ReportJob }[] = [];
  /** A post left as it is (a create that met it, an update that changes nothing) still gets its case, if it wants one. */
  const refile = (p: Pending, doc: Record<string, unknown>, stored: Moderation | undefined) => {
    const { wanting, changedSince } = scanPost(doc, stored, p.item.id);
    if (wanting.length > 0) reviews.push({ pos: p.pos, job: scanReport(platformContent(p.item.id, doc), wanting, version, at, 'ingest', changedSince) });
  };
  let k = 0;
  for (const p of round) {
    const { item } = p;
    const stored = needsRead(p) ? (got.docs[k++] as MgetDoc) : NOT_READ;
    if ('error' in stored) {
      const e = stored.error;
      answer(p, errorItem({ op: item.op, index: item.index, id: item.id, status: 503, type: typeof e.type === 'string' ? e.type : 'unavailable_shards_exception', reason: 'the stored document could not be read; retry' }));
      continue;
    }
    const placeholder = stored.found && stored._source?.moderation?.placeholder === true;
    const exists = stored.found && !placeholder;
    if (item.op === 'delete') {
      // A placeholder holds a decision on content not yet indexed: for the indexer it is not there, and it stays.
      if (placeholder) {
        answer(p, notFound(item));
        continue;
      }
      const condition = item.ifSeqNo !== undefined ? { if_seq_no: item.ifSeqNo, if_primary_term: item.ifPrimaryTerm } : {};
      operations.push({ delete: { _index: item.index, _id: item.id, ...condition } });
      sent.push({ p, fresh: false, read: true });
      continue;
    }
    if (item.ifSeqNo !== undefined && (!stored.found || stored._seq_no !== item.ifSeqNo || stored._primary_term !== item.ifPrimaryTerm)) {
      answer(p, conflict(item, stored.found ? `required seqNo [${item.ifSeqNo}], primary term [${item.ifPrimaryTerm}]. current document has seqNo [${stored._seq_no}] and primary term [${stored._primary_term}]` : 'document does not exist'));
      continue;
    }
    const storedModeration = stored.found ? stored._source?.moderation : undefined;
    let doc: Record<string, unknown>;
    if (item.op === 'update') {
      const update = item.update as NonNullable<WriteItem['update']>;
      if (exists) {
        const { moderation: _m, ...base } = stored._source ?? {};
        doc = mergeDoc(base, update.doc ?? {});
        if (update.detectNoop && JSON.stringify(doc) === JSON.stringify(base)) {
          answer(p, { update: { _index: item.index, _id: item.id, _version: stored._version, result: 'noop', _shards: { total: 0, successful: 0, failed: 0 }, _seq_no: stored._seq_no, _primary_term: stored._primary_term, status: 200 } });
          ctx.metrics.items.inc({ op: 'update', outcome: 'ok' });
          refile(p, base, storedModeration);
          continue;
        }
      } else if (update.upsert) doc = update.upsert;
      else if (update.docAsUpsert && update.doc) doc = update.doc;
      else {
        answer(p, errorItem({ op: 'update', index: item.index, id: item.id, status: 404, type: 'document_missing_exception', reason: `[${item.id}]: document missing` }));
        continue;
      }
      const problem = checkDocument(doc);
      if (problem) {
        answer(p, errorItem({ op: 'update', index: item.index, id: item.id, status: 400, type: 'document_parsing_exception', reason: problem }));
        continue;
      }
    } else {
      if (item.op === 'create' && exists) {
        answer(p, conflict(item, `document already exists (current version [${stored._version}])`));
        const { moderation: _m, ...storedDoc } = stored._source ?? {};
        refile(p, storedDoc, storedModeration);
        continue;
      }
      doc = item.source as Record<string, unknown>;
    }

    const { scan, moderation, wanting, changedSince } = scanPost(doc, storedModeration, item.id);
    // The document goes as it came, moderation spliced in; a merged or cleaned one (or one whose raw JSON
    // holds a line break, which would break the NDJSON) is serialised.
    const source = doc === item.source && item.raw !== undefined && !item.raw.includes('\n') ? withModerationJson(item.raw, Object.keys(doc).length === 0, moderation) : { ...doc, moderation };
    operations.push(
      stored.found ? { index: { _index: item.index, _id: item.id, if_seq_no: stored._seq_no, if_primary_term: stored._primary_term } } : { create: { _index: item.index, _id: item.id } },
      source,
    );
    sent.push({ p, fresh: !exists, read: needsRead(p), doc, wanting, ...(changedSince ? { changedSince } : {}), shadowHits: scan.shadowHits, state: moderation.state ?? 'none' });
  }
  ctx.metrics.scan.observe((performance.now() - tScan) / 1000);

  const retry: Pending[] = [];
  const written: Written[] = [];
  if (operations.length > 0) {
    // The rules changed while this round scanned: scan again with the new ones rather than store the old verdicts.
    if (ctx.rules.fresh(ctx.maxStalenessMs).version !== version) return { retry: sent.map((s) => s.p).concat(retry), written };
    const tWrite = performance.now();
    const bulk = await ctx.es.bulk({ operations, ...params }, { requestTimeout: ctx.esTimeoutMs, maxRetries: 0 }).catch((err: unknown) => {
      throw upstreamFailure(err, 'writing the documents');
    });
    ctx.metrics.upstream.observe((performance.now() - tWrite) / 1000);
    if (bulk.items.length !== sent.length) {
      // Never expected; the answers cannot be matched to the items, so none is claimed to have succeeded.
      throw new UnavailableError(`Elasticsearch answered ${bulk.items.length} items for ${sent.length}`, 'upstream_mismatch');
    }
    bulk.items.forEach((a, j) => {
      const s = sent[j] as Sent;
      const { item } = s.p;
      const r = Object.values(a)[0] as estypes.BulkResponseItem;
      if (item.op !== 'delete') ctx.readFirst.record(s.read ? !s.fresh : r.status === 409);
      // Our own condition lost a race (not the caller's), or a post written as new was there: read again and write again.
      if (r.status === 409 && item.op !== 'delete' && item.ifSeqNo === undefined && s.p.attempts + 1 < MAX_ATTEMPTS) {
        retry.push({ ...s.p, attempts: s.p.attempts + 1 });
        return;
      }
      const ok = r.status < 300;
      const out: Record<string, unknown> = { ...r };
      if (r.error) out['error'] = safeError(r.error);
      if (ok && s.fresh) {
        // A placeholder replaced is, for the caller, a document created.
        out['result'] = 'created';
        out['status'] = 201;
      }
      answer(s.p, { [item.op]: out });
      if (s.p.pos >= 0) ctx.metrics.items.inc({ op: item.op, outcome: ok ? 'ok' : 'failed' });
      if (!ok || !s.doc) return;
      written.push({ p: s.p, doc: s.doc, seqNo: r._seq_no as number, primaryTerm: r._primary_term as number });
      ctx.metrics.states.inc({ state: s.state ?? 'none' });
      // Shadow rules count what they would have done: once per post stored, not per attempt.
      if (s.shadowHits && s.shadowHits.length > 0 && s.p.pos >= 0) {
        recordShadowHits(ctx.redis, ctx.rulesetKeys, version, s.shadowHits, item.id, 'content').catch((err: unknown) => ctx.logger.warn({ error: (err as Error).message }, 'shadow count failed'));
      }
      if (s.wanting && s.wanting.length > 0) reviews.push({ pos: s.p.pos, job: scanReport(platformContent(item.id, s.doc as Partial<ContentDocument>), s.wanting, version, at, 'ingest', s.changedSince) });
    });
  }

  if (reviews.length > 0) {
    try {
      const { added, invalid } = await ctx.reports.addValid(reviews.map((r) => ({ data: r.job, opts: { jobId: r.job.reportId } })));
      ctx.metrics.cases.inc(added);
      // Cannot happen with platformContent's bounds; if it does, it is a bug to see, not a retry to ask for.
      for (const bad of invalid) ctx.logger.error({ error: bad.error }, 'an automated report failed its schema; the post is stored without its case');
    } catch (err) {
      // Stored, but its case could not be queued: tell the indexer to send it again (idempotent: same report
      // id; a create then meets the post and files the case, an unchanged update too). The message only: a
      // queue error can carry the jobs' payloads.
      // Chunks queued before the failure stand; only the rest are answered "send again".
      const pending = err instanceof PartialAddError ? err.pending.map((i) => reviews[i]).filter((r) => r !== undefined) : reviews;
      ctx.metrics.cases.inc(reviews.length - pending.length);
      ctx.logger.warn({ error: (err as Error).message, items: pending.length }, 'could not queue automated reports');
      for (const r of pending) {
        const prior = r.pos >= 0 ? results[r.pos] : undefined;
        if (!prior) continue;
        const op = Object.keys(prior)[0] as string;
        results[r.pos] = { [op]: { ...prior[op], status: 429, error: { type: 'takedown_unavailable_exception', reason: 'stored, but its review case could not be queued; send the item again' } } };
      }
    }
  }
  return { retry, written };
}
