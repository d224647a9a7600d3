/**
 * The Redis names a published ruleset is read by: defined here, once, because
 * this package (which depends on nothing of Takedown's) and shared's
 * RulesetStore (which writes them) must agree. `kind` separates the content
 * rules (`rules`) from the feature switches (`features`); every key carries
 * the queue prefix and so its hash tag.
 */
export interface SnapshotKeys {
  /** The published version number. */
  current: string;
  /** A version's JSON. */
  version(n: number): string;
  /** Pub/sub channel announcing a newly published version. */
  channel: string;
}

export type SnapshotKind = 'rules' | 'features';

export function snapshotKeys(queuePrefix: string, kind: SnapshotKind): SnapshotKeys {
  const base = `${queuePrefix}:${kind}`;
  return {
    current: `${base}:current`,
    version: (n) => `${base}:version:${n}`,
    channel: `${base}:published`,
  };
}

/** The feature switches' keys. */
export function featureKeys(queuePrefix: string): SnapshotKeys {
  return snapshotKeys(queuePrefix, 'features');
}
