import { moderationRedis } from '../clients/moderation-bridge';
import type { Client } from '@elastic/elasticsearch';
import type { RedisClient } from '../clients/redis';
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

interface Head {
  seq: number;
  hash: string;
  streamId: string;
}

/**
 * Moves audit events from the Redis stream (where state changes append them
 * atomically) into Elasticsearch as a hash chain. One writer at a time
 * (a Redis lock), because a chain has one order. Elasticsearch is the
 * record of progress: a writer that starts (or takes over) reads the last
 * stored event and continues after its stream id, so a crash between the
 * bulk write and anything else neither loses nor repeats an event.
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

  constructor(private readonly o: AuditWriterOptions) {
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
    const held = await runScript(moderationRedis(this.o.redis), 'renew-lock', [this.o.keys.auditWriterLock], [this.o.instanceId, 15000]);
    if (Number(held) !== 1) {
      this.head = undefined;
      return 0;
    }
    const head = this.head ?? (await this.readHead());
    const start = head.streamId ? `(${head.streamId}` : '-';
    const entries = (await this.o.redis.xrange(this.o.keys.audit, start, '+', 'COUNT', this.batchSize)) as [string, string[]][];
    if (entries.length === 0) return 0;

    let { seq, hash } = head;
    const operations: object[] = [];
    const poisoned: [string, number][] = [];
    let last = head.streamId;
    for (const [streamId, fields] of entries) {
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
      last = streamId;
    }
    // Before the bulk: the entries are trimmed only once it succeeded (HSET repeats harmlessly).
    if (poisoned.length > 0) await this.o.redis.hset(this.o.keys.auditDeadLetter, Object.fromEntries(poisoned.map(([id, n]) => [id, String(n)])));
    const res = await this.o.es.bulk({ operations });
    if (res.errors) {
      const first = res.items.find((i) => i.create?.error)?.create?.error;
      this.head = undefined;
      throw new Error(`audit bulk write refused: ${first?.type ?? 'unknown'}`);
    }
    this.head = { seq, hash, streamId: last };
    // Entries up to the last written one are in Elasticsearch now.
    await this.o.redis.xtrim(this.o.keys.audit, 'MINID', last);
    return entries.length;
  }

  private async readHead(): Promise<Head> {
    await this.o.es.indices.refresh({ index: this.o.index });
    const res = await this.o.es.search<AuditEvent>({
      index: this.o.index,
      size: 1,
      sort: [{ seq: 'desc' }],
      _source: ['seq', 'hash', 'streamId'],
    });
    const top = res.hits.hits[0]?._source;
    return top ? { seq: top.seq, hash: top.hash, streamId: top.streamId } : { seq: 0, hash: GENESIS_HASH, streamId: '' };
  }
}
