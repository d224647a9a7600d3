import type { Feature } from '@takedown/features';
import { diffItems, type ItemsDiff } from '@takedown/shared';

/** The fields a publish compares (provenance is not a change). */
const FEATURE_FIELDS: (keyof Feature & string)[] = ['description', 'default', 'failMode', 'rules'];

/** What publishing `after` over `before` changes, by feature key. */
export function diffFeatures(before: readonly Feature[], after: readonly Feature[]): ItemsDiff {
  return diffItems(before, after, (f) => f.key, FEATURE_FIELDS);
}
