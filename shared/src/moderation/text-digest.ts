import { createHash } from 'node:crypto';

/**
 * A short digest of a post's normalised text: what a decision reviewed
 * (`moderation.reviewedDigest`), so a later edit can be told apart from a
 * re-index of the same words.
 */
export function textDigest(normalizedText: string): string {
  return createHash('sha256').update(normalizedText).digest('hex').slice(0, 32);
}
