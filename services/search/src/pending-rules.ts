import type { Logger, RedisClient, RulesetKeys } from '@takedown/shared';
import type { CompiledRuleset, Rule } from '@takedown/search-rules';

/**
 * Content rules published but not yet back-filled onto documents (rule ids
 * from Redis, refreshed every 500 ms). The rewriter filters with them at
 * query time meanwhile. A failed refresh keeps the last known set.
 */
export class PendingRules {
  private ids: string[] = [];
  /** The rules of `ids` in one compiled version: looked up once per refresh or version, not per search. */
  private resolved: { ids: string[]; compiled: CompiledRuleset; rules: readonly Rule[] } | undefined;
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

  /** The pending rules as `compiled` knows them (ids it lacks are skipped). */
  rulesIn(compiled: CompiledRuleset): readonly Rule[] {
    const r = this.resolved;
    if (r && r.ids === this.ids && r.compiled === compiled) return r.rules;
    const rules = this.ids.map((id) => compiled.byId.get(id)).filter((x): x is Rule => x !== undefined);
    this.resolved = { ids: this.ids, compiled, rules };
    return rules;
  }

  async refresh(): Promise<void> {
    try {
      this.ids = Object.keys(await this.redis.hgetall(this.keys.backfillPending));
    } catch (err) {
      this.logger.warn({ err }, 'pending rules refresh failed; keeping the last set');
    }
  }
}
