import type { Logger, RedisClient, RulesetKeys } from '@takedown/shared';

/** The query log keeps the last this many texts (what a rule preview replays). */
export const QUERY_LOG_SIZE = 10_000;

/** How often buffered texts are written: one pipeline a second instead of one per sampled search. */
export const QUERY_LOG_FLUSH_MS = 1_000;

/**
 * The sampled query texts rule previews read, written to Redis in one
 * LPUSH + LTRIM per flush. A pipeline per sampled search was a tenth of the
 * search service's busy time (one socket write each on a loaded box); a
 * preview needs recent queries, not this second's. At most QUERY_LOG_SIZE
 * texts wait between flushes (older ones would be trimmed anyway); a crash
 * loses at most the last second of a sample. Failures are logged, never
 * retried: the texts are a sample.
 */
export class QueryLog {
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RulesetKeys, 'queryLog'>,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly flushMs = QUERY_LOG_FLUSH_MS,
  ) {}

  add(text: string): void {
    this.buffer.push(text);
    if (this.buffer.length > QUERY_LOG_SIZE) this.buffer.splice(0, this.buffer.length - QUERY_LOG_SIZE);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Writes what is buffered (newest at the head, as LPUSH one by one would have). */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const texts = this.buffer;
    this.buffer = [];
    try {
      const replies = await this.redis.pipeline().lpush(this.keys.queryLog, ...texts).ltrim(this.keys.queryLog, 0, QUERY_LOG_SIZE - 1).exec();
      const failed = replies?.find(([e]) => e);
      if (failed) throw failed[0];
    } catch (err) {
      this.logger.warn({ err }, 'query log write failed');
    }
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
