import { isJsonObject } from '../validation/is-json-object';

/** What a content scan reads from a stored document. */
export interface ScanFields {
  text?: string;
  lang?: string;
  /** Lower-case sha256 hex of every media item, however the document spells the field. */
  mediaSha256: string[];
  /** Lower-case PDQ hex of every media item (`media[].pdq`, `media.pdq`), the same way. */
  mediaPdq: string[];
}

const HEX64 = /^[a-fA-F0-9]{64}$/;
/**
 * The fields Takedown scans, read the way Elasticsearch indexes them.
 * Elasticsearch expands a dotted key (`"media.sha256": "…"`) into the same
 * field as `"media": [{ "sha256": "…" }]`, and indexes `media` whether it
 * is one object or an array of them; a reader that saw only one spelling
 * would let a known hash through under another. Hashes are lower-cased
 * (the rules' form); anything that is not 64 hex digits is not a hash.
 */
export function scanFieldsOf(doc: Record<string, unknown>): ScanFields {
  const hashes = new Set<string>();
  const pdq = new Set<string>();
  const add = (into: Set<string>, v: unknown) => {
    for (const h of Array.isArray(v) ? v : [v]) if (typeof h === 'string' && HEX64.test(h)) into.add(h.toLowerCase());
  };
  const media = doc['media'];
  for (const item of Array.isArray(media) ? media : [media]) {
    if (!isJsonObject(item)) continue;
    add(hashes, item['sha256']);
    add(pdq, item['pdq']);
  }
  add(hashes, doc['media.sha256']);
  add(pdq, doc['media.pdq']);
  const text = doc['text'];
  const lang = doc['lang'];
  return { ...(typeof text === 'string' ? { text } : {}), ...(typeof lang === 'string' ? { lang } : {}), mediaSha256: [...hashes], mediaPdq: [...pdq] };
}
