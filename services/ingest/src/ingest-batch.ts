import type { ItemResponse } from './item-answers';
import { errorItem } from './item-answers';
import { BULK_OPS } from './bulk-parse';
import type { ResolvedItem } from './write-item';
import { MAX_ATTEMPTS, writeRound, type IngestContext, type Pending, type WriteParams, type Written } from './write-round';

export type { IngestContext, WriteParams } from './write-round';
export type { ItemResponse } from './item-answers';
export { MAX_ATTEMPTS } from './write-round';
export { safeError } from './item-answers';

export interface BatchResult {
  took: number;
  errors: boolean;
  items: ItemResponse[];
}

/** Bounds on one round's multi-get and bulk write: Elasticsearch's request limit and this process's memory. */
export const MAX_ROUND_ITEMS = 1000;
export const MAX_ROUND_BYTES = 16 * 1024 * 1024;

/** Splits a round's items into chunks of at most MAX_ROUND_ITEMS and about MAX_ROUND_BYTES of documents. */
function* chunks(items: readonly Pending[]): Generator<Pending[]> {
  let chunk: Pending[] = [];
  let bytes = 0;
  for (const p of items) {
    if (chunk.length > 0 && (chunk.length >= MAX_ROUND_ITEMS || bytes + p.item.bytes > MAX_ROUND_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(p);
    bytes += p.item.bytes;
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Writes a batch of items (one for the single-document endpoints, many for
 * _bulk) the way the platform's Elasticsearch would, every document scanned
 * first (writeRound). Items for one id go in order, one per round; a round
 * holds distinct ids, in chunks bounded by count and bytes, each under this
 * process's per-id locks. When the published rules change while a round
 * runs, the documents it stored are scanned and written again with the new
 * ones (conditional on what was stored; their answers stand), so nothing
 * stays tagged by rules that were replaced while it was in flight. Every
 * item gets an answer in its position; one bad item never fails the others.
 */
export async function ingestBatch(ctx: IngestContext, resolved: readonly ResolvedItem[], params: WriteParams = {}): Promise<BatchResult> {
  const t0 = performance.now();
  const results: (ItemResponse | undefined)[] = new Array(resolved.length);
  /** The items still to write for each id, in the order they came. */
  const queued = new Map<string, Pending[]>();
  resolved.forEach((r, pos) => {
    if (!r.ok) {
      results[pos] = errorItem(r.error);
      ctx.metrics.items.inc({ op: (BULK_OPS as readonly string[]).includes(r.error.op) ? r.error.op : 'unknown', outcome: 'refused' });
      return;
    }
    if (r.item.moderationIgnored) ctx.metrics.ignored.inc();
    const q = queued.get(r.item.id);
    if (q) q.push({ pos, item: r.item, attempts: 0 });
    else queued.set(r.item.id, [{ pos, item: r.item, attempts: 0 }]);
  });
  if (queued.size > 0) {
    // Fails closed before anything is written: no ruleset, or one not confirmed current.
    let loaded = ctx.rules.fresh(ctx.maxStalenessMs);
    let round = [...queued.values()].map((q) => q.shift() as Pending);
    while (round.length > 0) {
      const retry: Pending[] = [];
      const written: Written[] = [];
      for (const chunk of chunks(round)) {
        const release = await ctx.locks.acquire(chunk.map((p) => p.item.id));
        try {
          const out = await writeRound(ctx, loaded, chunk, results, params);
          retry.push(...out.retry);
          written.push(...out.written);
        } finally {
          release();
        }
      }
      const live = ctx.rules.fresh(ctx.maxStalenessMs);
      if (live.version !== loaded.version) {
        loaded = live;
        // Stored with the rules just replaced: written again with the new ones, if nobody wrote the post since.
        for (const w of written) {
          const { raw: _raw, ...item } = w.p.item;
          retry.push({ pos: -1, item: { ...item, op: 'index', source: w.doc, ifSeqNo: w.seqNo, ifPrimaryTerm: w.primaryTerm, moderationIgnored: false }, attempts: MAX_ATTEMPTS - 1 });
        }
      }
      // Lost races with other processes: a short, jittered pause before reading again.
      let most = 0;
      for (const p of retry) if (p.attempts > most) most = p.attempts;
      if (most > 0) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * most));
      // Next round: the retries, and for every other id of this round its next item.
      const busy = new Set(retry.map((p) => p.item.id));
      const next = [...retry];
      for (const p of round) {
        if (busy.has(p.item.id)) continue;
        const q = queued.get(p.item.id);
        const following = q?.shift();
        if (following) next.push(following);
        busy.add(p.item.id);
      }
      round = next.sort((a, b) => a.pos - b.pos);
    }
  }
  const items = results.map((r) => r ?? errorItem({ op: 'index', status: 500, type: 'takedown_internal_exception', reason: 'internal error' }));
  return { took: Math.round(performance.now() - t0), errors: items.some((i) => Object.values(i)[0]?.['error'] !== undefined), items };
}
