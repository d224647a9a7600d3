import { UnavailableError, type RulesetStore, type StoredRuleset } from '@takedown/shared';

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
    this.cached = { version, compiled: this.compile(stored) };
    return this.cached.compiled;
  }
}
