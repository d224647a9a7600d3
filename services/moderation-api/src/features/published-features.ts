import { compileFeatures, type CompiledFeatures, type FeatureSnapshot } from '@takedown/features';
import { UnavailableError, type RulesetStore } from '@takedown/shared';

/**
 * The published features, compiled once per version: each request reads
 * only the current pointer (one GET), so an answer is never older than the
 * publish before it, and the body is fetched and compiled only when the
 * version moved.
 */
export class PublishedFeatures {
  private cached: CompiledFeatures | undefined;

  constructor(private readonly store: RulesetStore) {}

  /** The live version compiled; UnavailableError (503) when Redis does not answer, so callers retry or use their client's fail modes. */
  async current(): Promise<CompiledFeatures | undefined> {
    try {
      return await this.load();
    } catch (err) {
      throw new UnavailableError('the feature store (Redis) is unavailable', 'redis_unavailable', { cause: err });
    }
  }

  private async load(): Promise<CompiledFeatures | undefined> {
    const version = await this.store.currentVersion();
    if (version === undefined) return undefined;
    if (this.cached?.version === version) return this.cached;
    const stored = await this.store.get(version);
    if (!stored) return undefined;
    this.cached = compileFeatures(stored as unknown as FeatureSnapshot);
    return this.cached;
  }
}
