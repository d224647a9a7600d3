import { DEFAULT_RETIRE_GRACE_MS, UnavailableError, type RulesetStore, type StoredRuleset } from '@takedown/shared';

/**
 * A store's published version, compiled once per version: each request
 * reads only the current pointer (one GET), so an answer is never older
 * than the publish before it, and the body is fetched and compiled only
 * when the version moved. Serves the feature switches (evaluate, upload
 * gate) and the content rules (the upload gate's hash lists).
 */
export class PublishedCompiled<T> {
  private cached: { version: number; compiled: T } | undefined;

  constructor(
    private readonly store: RulesetStore,
    private readonly compile: (stored: StoredRuleset) => T,
    /** Names the store in the 503 (`the feature store`, `the ruleset store`). */
    private readonly what: string,
    /**
     * Frees a replaced version (search-rules' releaseRuleset, for a fixed
     * RE2 heap the GC does not see fill) `graceMs` after it was replaced,
     * once requests that took it have finished; as LiveRuleset's retire.
     */
    private readonly retire?: { retire: (old: T) => void; graceMs?: number },
  ) {}

  /** The live version compiled (undefined: nothing published); UnavailableError (503) when Redis does not answer, so callers retry or use their client's fail modes. */
  async current(): Promise<T | undefined> {
    try {
      return await this.load();
    } catch (err) {
      throw new UnavailableError(`${this.what} (Redis) is unavailable`, 'redis_unavailable', { cause: err });
    }
  }

  private async load(): Promise<T | undefined> {
    const version = await this.store.currentVersion();
    if (version === undefined) return undefined;
    if (this.cached?.version === version) return this.cached.compiled;
    const stored = await this.store.get(version);
    if (!stored) return undefined;
    const previous = this.cached;
    this.cached = { version, compiled: this.compile(stored) };
    // Also when two requests compiled the same version at once: the overwritten copy is retired.
    if (previous && previous.compiled !== this.cached.compiled) this.scheduleRetire(previous.compiled);
    return this.cached.compiled;
  }

  private scheduleRetire(old: T): void {
    const r = this.retire;
    if (!r) return;
    setTimeout(() => {
      if (old !== this.cached?.compiled) r.retire(old);
    }, r.graceMs ?? DEFAULT_RETIRE_GRACE_MS).unref();
  }
}
