import type { Logger, RedisClient, RulesetKeys } from '@takedown/shared';

/**
 * Content rules published but not yet back-filled onto documents (rule ids
 * from Redis, refreshed every 500 ms). The rewriter filters with them at
 * query time meanwhile. A failed refresh keeps the last known set.
 */
export class PendingRules {
  private ids: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RulesetKeys,
    private readonly logger: Logger,
    private readonly everyMs = 500,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  current(): readonly string[] {
    return this.ids;
  }

  async refresh(): Promise<void> {
    try {
      this.ids = Object.keys(await this.redis.hgetall(this.keys.backfillPending));
    } catch (err) {
      this.logger.warn({ err }, 'pending rules refresh failed; keeping the last set');
    }
  }
}
