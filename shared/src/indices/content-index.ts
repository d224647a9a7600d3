import type { estypes } from '@elastic/elasticsearch';
import { MODERATION_STATES } from '../domain/vocabulary';

/**
 * The fields Takedown owns on the platform's content documents. On an index
 * the platform created, only these are added (put-mapping); nothing else of
 * theirs is touched.
 */
export const moderationMapping: estypes.MappingProperty = {
  properties: {
    state: { type: 'keyword' },
    category: { type: 'keyword' },
    decisionId: { type: 'keyword' },
    // The applied decision's place among its case's decisions (DecisionRecord.seq): an older one never overwrites it.
    decisionSeq: { type: 'long' },
    restrictedIn: { type: 'keyword' },
    labels: { type: 'keyword' },
    ruleHits: { type: 'keyword' },
    // The ruleset version of the document's last full scan (ingest or backfill sweep).
    scannedVersion: { type: 'integer' },
    // A stand-in the actions worker writes for content not yet indexed: it carries a decision, no content.
    placeholder: { type: 'boolean' },
    // textDigest of the normalised text a visible decision (keep, label) reviewed: an edit since is re-reviewed.
    reviewedDigest: { type: 'keyword', index: false, doc_values: false },
    updatedAt: { type: 'date' },
    // search-rules normalize(text): already folded and space-separated, so
    // the whitespace analyzer keeps its tokens exactly as the matcher sees them.
    normalizedText: { type: 'text', analyzer: 'whitespace' },
  },
};

/** A content document as Takedown reads and writes it. */
export interface ContentDocument {
  id: string;
  type: string;
  text: string;
  lang?: string;
  authorId: string;
  channelId?: string;
  createdAt: string;
  media?: { sha256: string; kind: string; pdq?: string }[];
  moderation?: {
    state?: (typeof MODERATION_STATES)[number];
    /** null clears it (a keep after a removal). */
    category?: string | null;
    decisionId?: string;
    /** The case-store sequence (DecisionRecord.seq) of the decision applied: an older one never overwrites it. */
    decisionSeq?: number;
    restrictedIn?: string[];
    labels?: string[];
    ruleHits?: string[];
    updatedAt?: string;
    normalizedText?: string;
    scannedVersion?: number;
    placeholder?: boolean;
    reviewedDigest?: string;
  };
}

/** Mapping for a content index Takedown creates itself (dev, demo, tests). */
export function contentIndexDefinition(replicas: number): {
  settings: estypes.IndicesIndexSettings;
  mappings: estypes.MappingTypeMapping;
} {
  return {
    settings: { number_of_shards: 1, number_of_replicas: replicas, refresh_interval: '1s' },
    mappings: {
      dynamic: 'strict',
      properties: {
        id: { type: 'keyword' },
        type: { type: 'keyword' },
        text: { type: 'text' },
        lang: { type: 'keyword' },
        authorId: { type: 'keyword' },
        channelId: { type: 'keyword' },
        createdAt: { type: 'date' },
        media: { properties: { sha256: { type: 'keyword' }, pdq: { type: 'keyword' }, kind: { type: 'keyword' } } },
        moderation: moderationMapping,
      },
    },
  };
}
