import type { Client, estypes } from '@elastic/elasticsearch';
import {
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
  type Logger,
  type ModerationKeys,
  type Redis,
  type ReportJob,
  type RulesetKeys,
} from '@takedown/shared';
import { contentState, decidedVisible, rulesWantingReview, scanContent, scannedModeration, type CompiledRuleset, type DecisionModeration, type Rule } from '@takedown/search-rules';
import { BULK_OPS } from './bulk-parse';
import type { IdLocks } from './id-locks';
import type { ReadFirst } from './read-first';
import type { IngestMetrics } from './ingest-metrics';
import { checkDocument, mergeDoc, withModerationJson, type ItemError, type ResolvedItem, type WriteItem } from './write-item';

export interface IngestContext {
  es: Client;
  /** Decisions and shadow counts (request path: fails fast). */
  redis: Redis;
  keys: ModerationKeys;
  rulesetKeys: RulesetKeys;
  rules: LiveRuleset<CompiledRuleset>;
  reports: CatalogQueue<'reports'>;
  maxStalenessMs: number;
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

/** One item's answer, as Elasticsearch's _bulk gives it: `{ "<action>": { _index, _id, status, … } }`. */
export type ItemResponse = Record<string, Record<string, unknown>>;

export interface BatchResult {
  took: number;
  errors: boolean;
  items: ItemResponse[];
}

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

interface Pending {
  pos: number;
  item: WriteItem;
  attempts: number;
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
  state?: string;
}

/**
 * Elasticsearch's per-item error, as the indexer may see it: its type, and
 * its reason cut before any quote of the source. The source Elasticsearch
 * saw carries the moderation fields ingest added (a post's state, decision
 * and rule hits): the ingest role writes, it never reads those.
 */
export function safeError(e: { type?: unknown; reason?: unknown; index?: unknown }): { type: string; reason: string; index?: string } {
  const type = typeof e.type === 'string' && /^[a-z_]{1,80}$/.test(e.type) ? e.type : 'exception';
  let reason = typeof e.reason === 'string' ? e.reason : '';
  const cut = reason.search(/ at \[Source:|Preview of field's value|\[Source:/);
  if (cut >= 0) reason = reason.slice(0, cut).trim();
  if (reason === '' || /moderation|normalizedText/.test(reason)) reason = `Elasticsearch refused the document (${type})`;
  return { type, reason: reason.slice(0, 300), ...(typeof e.index === 'string' ? { index: e.index } : {}) };
}

function errorItem(e: ItemError): ItemResponse {
  return { [e.op]: { ...(e.index ? { _index: e.index } : {}), ...(e.id !== undefined ? { _id: e.id } : {}), status: e.status, error: { type: e.type, reason: e.reason } } };
}

function conflict(item: WriteItem, reason: string): ItemResponse {
  return errorItem({ op: item.op, index: item.index, id: item.id, status: 409, type: 'version_conflict_engine_exception', reason: `[${item.id}]: version conflict, ${reason}` });
}

/** The decision fields a stored document carries, when a decision was ever applied to it. */
function storedDecision(m: Moderation | undefined): DecisionModeration | undefined {
  return m?.decisionId ? { state: m.state ?? 'none', category: m.category ?? null, decisionId: m.decisionId, restrictedIn: m.restrictedIn ?? [], labels: m.labels ?? [] } : undefined;
}

/**
 * Writes a batch of items (one for the single-document endpoints, many for
 * _bulk) the way the platform's Elasticsearch would, with every document
 * scanned first:
 *   1. one real-time multi-get of the stored documents' moderation (and the
 *      whole source for updates), and the decisions recorded in Redis;
 *   2. each document normalised and matched; its moderation fields are the
 *      decision's when one exists (a re-index never undoes a removal), else
 *      the state its rule hits give;
 *   3. one bulk write, conditional on the sequence numbers read in step 1, so
 *      a decision applied in between is never overwritten: such items are
 *      read and written again (up to MAX_ATTEMPTS);
 *   4. automated reports for posts that hit rules that want a human.
 * Items for the same id go in order, one per round. Every item gets an
 * answer in its position; one bad item never fails the others.
 */
export async function ingestBatch(ctx: IngestContext, resolved: readonly ResolvedItem[], params: WriteParams = {}): Promise<BatchResult> {
  const t0 = performance.now();
  const results: (ItemResponse | undefined)[] = new Array(resolved.length);
  let pending: Pending[] = [];
  resolved.forEach((r, pos) => {
    if (r.ok) {
      pending.push({ pos, item: r.item, attempts: 0 });
      if (r.item.moderationIgnored) ctx.metrics.ignored.inc();
    } else {
      results[pos] = errorItem(r.error);
      ctx.metrics.items.inc({ op: (BULK_OPS as readonly string[]).includes(r.error.op) ? r.error.op : 'unknown', outcome: 'refused' });
    }
  });
  if (pending.length > 0) {
    // Fails closed before anything is written: no ruleset, or one not confirmed current.
    const loaded = ctx.rules.fresh(ctx.maxStalenessMs);
    while (pending.length > 0) {
      const now: Pending[] = [];
      const later: Pending[] = [];
      const seen = new Set<string>();
      for (const p of pending) {
        if (seen.has(p.item.id)) later.push(p);
        else {
          seen.add(p.item.id);
          now.push(p);
        }
      }
      const release = await ctx.locks.acquire(now.map((p) => p.item.id));
      let retry: Pending[];
      try {
        retry = await writeRound(ctx, loaded.version, loaded.compiled, now, results, params);
      } finally {
        release();
      }
      // Lost races with other processes: a short, jittered pause before reading again.
      if (retry.length > 0) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * Math.max(...retry.map((p) => p.attempts))));
      pending = [...retry, ...later].sort((a, b) => a.pos - b.pos);
    }
  }
  const items = results.map((r) => r ?? errorItem({ op: 'index', status: 500, type: 'takedown_internal_exception', reason: 'internal error' }));
  return { took: Math.round(performance.now() - t0), errors: items.some((i) => Object.values(i)[0]?.['error'] !== undefined), items };
}

/** One round: read, scan, write, report. Returns the items to write again. */
async function writeRound(
  ctx: IngestContext,
  version: number,
  compiled: CompiledRuleset,
  round: Pending[],
  results: (ItemResponse | undefined)[],
  params: WriteParams,
): Promise<Pending[]> {
  const at = (ctx.now?.() ?? new Date()).toISOString();
  // Updates need the stored source, the caller's own condition the stored sequence number, and a retry the
  // current state; other writes are read first only while recent ones mostly found their post there.
  const readFirst = ctx.readFirst.shouldRead;
  const needsRead = (p: Pending) => p.item.op === 'update' || (p.item.op !== 'delete' && (readFirst || p.attempts > 0 || p.item.ifSeqNo !== undefined));
  const reads = round.filter(needsRead);
  const writes = round.filter((p) => p.item.op !== 'delete');
  const tRead = performance.now();
  const [got, decided] = await Promise.all([
    reads.length === 0
      ? Promise.resolve({ docs: [] as MgetDoc[] })
      : ctx.es
          .mget<Source>({ docs: reads.map((p) => ({ _index: p.item.index, _id: p.item.id, _source: p.item.op === 'update' ? true : ['moderation'] })), realtime: true })
          .catch((err: unknown) => {
            throw upstreamFailure(err, 'reading the stored documents');
          }),
    recordedDecisions(ctx.redis, ctx.keys, writes.map((p) => p.item.id), at).catch(() => {
      throw new UnavailableError('the case store (Redis) is unavailable: decisions cannot be kept', 'redis_unavailable');
    }),
  ]);
  ctx.metrics.upstream.observe((performance.now() - tRead) / 1000);

  const tScan = performance.now();
  // Action objects, and documents as objects or already-serialised JSON (the client sends strings as they are).
  const operations: unknown[] = [];
  const sent: Sent[] = [];
  const shadow: { id: string; hits: { ruleId: string }[] }[] = [];
  let k = 0;
  for (const p of round) {
    const { item } = p;
    if (item.op === 'delete') {
      operations.push({ delete: { _index: item.index, _id: item.id, ...(item.ifSeqNo !== undefined ? { if_seq_no: item.ifSeqNo, if_primary_term: item.ifPrimaryTerm } : {}) } });
      sent.push({ p, fresh: false, read: false });
      continue;
    }
    const stored = needsRead(p) ? (got.docs[k++] as MgetDoc) : NOT_READ;
    if ('error' in stored) {
      const e = stored.error;
      results[p.pos] = errorItem({ op: item.op, index: item.index, id: item.id, status: 503, type: typeof e.type === 'string' ? e.type : 'unavailable_shards_exception', reason: 'the stored document could not be read; retry' });
      continue;
    }
    const placeholder = stored.found && stored._source?.moderation?.placeholder === true;
    const exists = stored.found && !placeholder;
    if (item.ifSeqNo !== undefined && (!stored.found || stored._seq_no !== item.ifSeqNo || stored._primary_term !== item.ifPrimaryTerm)) {
      results[p.pos] = conflict(item, stored.found ? `required seqNo [${item.ifSeqNo}], primary term [${item.ifPrimaryTerm}]. current document has seqNo [${stored._seq_no}] and primary term [${stored._primary_term}]` : 'document does not exist');
      continue;
    }
    let doc: Record<string, unknown>;
    if (item.op === 'update') {
      const update = item.update as NonNullable<WriteItem['update']>;
      if (exists) {
        const { moderation: _m, ...base } = stored._source ?? {};
        doc = mergeDoc(base, update.doc ?? {});
        if (update.detectNoop && JSON.stringify(doc) === JSON.stringify(base)) {
          results[p.pos] = { update: { _index: item.index, _id: item.id, _version: stored._version, result: 'noop', _shards: { total: 0, successful: 0, failed: 0 }, _seq_no: stored._seq_no, _primary_term: stored._primary_term, status: 200 } };
          ctx.metrics.items.inc({ op: 'update', outcome: 'ok' });
          continue;
        }
      } else if (update.upsert) doc = update.upsert;
      else if (update.docAsUpsert && update.doc) doc = update.doc;
      else {
        results[p.pos] = errorItem({ op: 'update', index: item.index, id: item.id, status: 404, type: 'document_missing_exception', reason: `[${item.id}]: document missing` });
        continue;
      }
      const problem = checkDocument(doc);
      if (problem) {
        results[p.pos] = errorItem({ op: 'update', index: item.index, id: item.id, status: 400, type: 'document_parsing_exception', reason: problem });
        continue;
      }
    } else {
      if (item.op === 'create' && exists) {
        results[p.pos] = conflict(item, `document already exists (current version [${stored._version}])`);
        continue;
      }
      doc = item.source as Record<string, unknown>;
    }

    const scan = scanContent(compiled, scanFieldsOf(doc), Date.parse(at));
    const rules = scan.ruleHits.map((id) => compiled.byId.get(id)).filter((r): r is Rule => r !== undefined);
    const decision = decided.get(item.id) ?? storedDecision(stored.found ? stored._source?.moderation : undefined);
    const moderation = scannedModeration(decision, scan, contentState(rules, Date.parse(at)), version, at);
    // A kept post that changed (or whose reviewed text is gone) goes back to a human if it now hits a hiding rule.
    const keptAndChanged = decidedVisible(decision) && stored._source?.moderation?.normalizedText !== scan.normalizedText;
    const wanting = rulesWantingReview(rules, keptAndChanged);
    if (scan.shadowHits.length > 0) shadow.push({ id: item.id, hits: scan.shadowHits });
    // Conditional on what was read: a decision applied in between makes this write lose, and it is done again.
    // The document goes as it came, moderation spliced in; a merged or cleaned one is serialised.
    // (A raw body with a line break would break the NDJSON: such a document is serialised.)
    const source = doc === item.source && item.raw !== undefined && !item.raw.includes('\n') ? withModerationJson(item.raw, Object.keys(doc).length === 0, moderation) : { ...doc, moderation };
    operations.push(
      stored.found ? { index: { _index: item.index, _id: item.id, if_seq_no: stored._seq_no, if_primary_term: stored._primary_term } } : { create: { _index: item.index, _id: item.id } },
      source,
    );
    sent.push({ p, fresh: !exists, read: needsRead(p), doc, wanting, state: moderation.state ?? 'none' });
  }
  ctx.metrics.scan.observe((performance.now() - tScan) / 1000);
  for (const s of shadow) {
    recordShadowHits(ctx.redis, ctx.rulesetKeys, version, s.hits, s.id, 'content').catch((err: unknown) => ctx.logger.warn({ error: (err as Error).message }, 'shadow count failed'));
  }
  if (operations.length === 0) return [];

  const tWrite = performance.now();
  const bulk = await ctx.es.bulk({ operations, ...params }).catch((err: unknown) => {
    throw upstreamFailure(err, 'writing the documents');
  });
  ctx.metrics.upstream.observe((performance.now() - tWrite) / 1000);

  if (bulk.items.length !== sent.length) {
    // Never expected; the answers cannot be matched to the items, so none is claimed to have succeeded.
    throw new UnavailableError(`Elasticsearch answered ${bulk.items.length} items for ${sent.length}`, 'upstream_mismatch');
  }
  const retry: Pending[] = [];
  const reviews: { pos: number; job: ReportJob }[] = [];
  bulk.items.forEach((answer, j) => {
    const s = sent[j] as Sent;
    const { item } = s.p;
    const r = Object.values(answer)[0] as estypes.BulkResponseItem;
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
    results[s.p.pos] = { [item.op]: out };
    ctx.metrics.items.inc({ op: item.op, outcome: ok ? 'ok' : 'failed' });
    if (!ok || !s.doc) return;
    ctx.metrics.states.inc({ state: s.state ?? 'none' });
    if (s.wanting && s.wanting.length > 0) reviews.push({ pos: s.p.pos, job: scanReport(platformContent(item.id, s.doc as Partial<ContentDocument>), s.wanting, version, at, 'ingest') });
  });

  if (reviews.length > 0) {
    try {
      await ctx.reports.addBulk(reviews.map((r) => ({ data: r.job, opts: { jobId: r.job.reportId } })));
      ctx.metrics.cases.inc({}, reviews.length);
    } catch (err) {
      // Stored, but its case could not be queued: tell the indexer to send it again (idempotent: same report id).
      // The message only: a queue error can carry the jobs' payloads.
      ctx.logger.warn({ error: (err as Error).message, items: reviews.length }, 'could not queue automated reports');
      for (const r of reviews) {
        const op = Object.keys(results[r.pos] as ItemResponse)[0] as string;
        results[r.pos] = { [op]: { ...(results[r.pos] as ItemResponse)[op], status: 429, error: { type: 'takedown_unavailable_exception', reason: 'stored, but its review case could not be queued; send the item again' } } };
      }
    }
  }
  return retry;
}
