import type { Client } from '@elastic/elasticsearch';
import type { RedisClient } from '../clients/redis';
import type { ChainableCommander } from 'ioredis';
import { pipelined } from '../moderation/pipelined';
import type { Logger } from '../logging/logger';
import type { ModerationKeys } from '../moderation/keys';
import { runScript } from '../moderation/lua-scripts';
import { AUDIT_GAP, auditHash, GENESIS_HASH, type AuditEvent, type AuditEventInput } from './audit-event';

export interface AuditWriterOptions {
  redis: RedisClient;
  es: Client;
  index: string;
  keys: ModerationKeys;
  logger: Logger;
  /** Unique per process; the writer lock's holder id. */
  instanceId: string;
  batchSize?: number;
  intervalMs?: number;
}

/** An event as a producer wrote it, or undefined when it is not readable as one (not JSON, not an object with a string type). */
function readEvent(raw: string): AuditEventInput | undefined {
  try {
    const v = JSON.parse(raw) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const e = v as AuditEventInput;
    if (typeof e.type !== 'string') return undefined;
    if (e.data !== undefined && (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data))) return undefined;
    return e;
  } catch {
    return undefined;
  }
}

/** Where the chain stands: its last event, and per stream the last entry written. */
interface Head {
  seq: number;
  hash: string;
  /** Stream label ("" for the main stream, "s07" for a case shard's) -> last stream id written. */
  cursors: Map<string, string>;
}

/** One audit stream: the main one (label "") or a case shard's. */
interface Stream {
  label: string;
  key: string;
}

/**
 * The chain's streamId for an entry: the entry id for the main stream (as
 * before shards existed), "s07/<id>" for a case shard's.
 */
export function chainStreamId(label: string, entryId: string): string {
  return label ? `${label}/${entryId}` : entryId;
}

/** Entry ids compare as (ms, seq). */
function compareEntryIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}

/**
 * Moves audit events from the Redis streams (where state changes append them
 * atomically: the main stream, and one per case shard) into Elasticsearch as
 * one hash chain. One writer at a time (a Redis lock), because a chain has
 * one order. Each round reads every stream after its cursor (one pipelined
 * round trip) and merges the entries by stream id, so each stream's order,
 * and with it each case's (a case lives in one shard), is kept in the chain;
 * entries of different streams are ordered by their ids (server time).
 * Elasticsearch is the record of progress: every event carries its stream
 * and entry id (chainStreamId), and a writer that starts (or takes over)
 * reads the last stored event of each stream and continues after it, so a
 * crash between the bulk write and anything else neither loses nor repeats
 * an event.
 *
 * An entry that cannot be read as an event (not JSON, not an object with a
 * type) would stop the chain for good if it were retried: it is set aside
 * (its stream id and length, never its content, in the dead-letter hash)
 * and an `audit.gap` event naming its stream id takes its place.
 */
export class AuditWriter {
  private head: Head | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly batchSize: number;
  private readonly intervalMs: number;

  private readonly streams: Stream[];

  constructor(private readonly o: AuditWriterOptions) {
    this.streams = [{ label: '', key: o.keys.audit }, ...o.keys.shards.map((s) => ({ label: s.label, key: s.audit }))];
    this.batchSize = o.batchSize ?? 500;
    this.intervalMs = o.intervalMs ?? 200;
  }

  start(): void {
    const tick = async () => {
      try {
        while ((await this.flushOnce()) === this.batchSize) {
          // a full batch: more is waiting
        }
      } catch (err) {
        this.head = undefined; // re-read from Elasticsearch next time
        this.o.logger.error({ err }, 'audit writer: flush failed; will retry');
      }
      if (this.running) this.timer = setTimeout(() => void tick(), this.intervalMs);
    };
    this.running = true;
    void tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.flushOnce().catch(() => 0);
  }

  /**
   * Writes the next batch if this process holds the writer lock. Returns the
   * events written. Calls are serialised: two overlapping flushes would
   * read the same head and race for the same sequence numbers.
   */
  flushOnce(): Promise<number> {
    const next = this.tail.then(() => this.flush());
    this.tail = next.catch(() => 0);
    return next;
  }

  private async flush(): Promise<number> {
    const held = await runScript((this.o.redis), 'renew-lock', [this.o.keys.auditWriterLock], [this.o.instanceId, 15000]);
    if (Number(held) !== 1) {
      this.head = undefined;
      return 0;
    }
    const head = this.head ?? (await this.readHead());
    const replies = await pipelined<[string, string[]][]>(
      this.o.redis,
      this.streams.map((s) => {
        const after = head.cursors.get(s.label);
        return { key: s.key, add: (p) => p.xrange(s.key, after ? `(${after}` : '-', '+', 'COUNT', this.batchSize) };
      }),
    );
    const merged: { stream: Stream; id: string; fields: string[] }[] = [];
    replies.forEach((entries, i) => {
      for (const [id, fields] of entries) merged.push({ stream: this.streams[i] as Stream, id, fields });
    });
    if (merged.length === 0) return 0;
    // Entries past the batch wait for the next round; every stream stays in order.
    merged.sort((a, b) => compareEntryIds(a.id, b.id) || (a.stream.label < b.stream.label ? -1 : a.stream.label > b.stream.label ? 1 : 0));
    const entries = merged.slice(0, this.batchSize);

    let { seq, hash } = head;
    const operations: object[] = [];
    const poisoned: [string, number][] = [];
    const cursors = new Map(head.cursors);
    for (const { stream, id, fields } of entries) {
      const streamId = chainStreamId(stream.label, id);
      const at = fields.indexOf('event');
      const raw = at >= 0 ? fields[at + 1] : undefined;
      let input = raw === undefined ? undefined : readEvent(raw);
      if (!input) {
        // Set aside: its id and length only (never its content), and a gap
        // in the chain naming it, so verification shows it and the chain goes on.
        const length = raw === undefined ? 0 : Buffer.byteLength(raw);
        poisoned.push([streamId, length]);
        input = { type: AUDIT_GAP, actor: 'system', at: new Date().toISOString(), data: { streamId, length, reason: raw === undefined ? 'no event field' : 'unparseable' } };
        this.o.logger.error({ streamId, length }, 'audit writer: unreadable stream entry set aside; recorded as an audit.gap event');
      }
      const action = input.data?.['action'];
      if (typeof action === 'string' && input.action === undefined) input.action = action;
      const category = input.data?.['category'];
      if (typeof category === 'string' && input.category === undefined) input.category = category;
      const base: Omit<AuditEvent, 'hash'> = { ...input, seq: seq + 1, streamId, prevHash: hash };
      const event: AuditEvent = { ...base, hash: auditHash(base) };
      operations.push({ create: { _index: this.o.index, _id: String(event.seq) } }, event);
      seq = event.seq;
      hash = event.hash;
      cursors.set(stream.label, id);
    }
    // Before the bulk: the entries are trimmed only once it succeeded (HSET repeats harmlessly).
    if (poisoned.length > 0) await this.o.redis.hset(this.o.keys.auditDeadLetter, Object.fromEntries(poisoned.map(([id, n]) => [id, String(n)])));
    const res = await this.o.es.bulk({ operations });
    if (res.errors) {
      const first = res.items.find((i) => i.create?.error)?.create?.error;
      this.head = undefined;
      throw new Error(`audit bulk write refused: ${first?.type ?? 'unknown'}`);
    }
    this.head = { seq, hash, cursors };
    // Entries up to the last written one of each stream are in Elasticsearch now.
    const trims = this.streams.flatMap((s) => {
      const last = cursors.get(s.label);
      return last && last !== head.cursors.get(s.label) ? [{ key: s.key, add: (p: ChainableCommander) => p.xtrim(s.key, 'MINID', last) }] : [];
    });
    await pipelined(this.o.redis, trims);
    return entries.length;
  }

  private async readHead(): Promise<Head> {
    await this.o.es.indices.refresh({ index: this.o.index });
    const last = async (query: object) => {
      const res = await this.o.es.search<AuditEvent>({ index: this.o.index, size: 1, sort: [{ seq: 'desc' }], _source: ['seq', 'hash', 'streamId'], query });
      return res.hits.hits[0]?._source;
    };
    const top = await last({ match_all: {} });
    const cursors = new Map<string, string>();
    if (!top) return { seq: 0, hash: GENESIS_HASH, cursors };
    // The last event of each stream: the main stream's ids have no label (they start with a digit).
    const lasts = await Promise.all(this.streams.map((s) => last(s.label ? { prefix: { streamId: `${s.label}/` } } : { bool: { must_not: { regexp: { streamId: '[a-z].*' } } } })));
    this.streams.forEach((s, i) => {
      const id = lasts[i]?.streamId;
      if (id) cursors.set(s.label, s.label ? id.slice(s.label.length + 1) : id);
    });
    return { seq: top.seq, hash: top.hash, cursors };
  }
}
