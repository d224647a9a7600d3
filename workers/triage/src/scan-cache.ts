import { createHash } from 'node:crypto';
import { scanContent, type CompiledRuleset, type ContentScan, type ScanInput } from '@takedown/search-rules';

export type ScanHits = Pick<ContentScan, 'hits' | 'shadowHits'>;

/**
 * Remembers the last scans' hits, so a post reported again (or a scan's
 * report read back from the index) is not normalised and matched again.
 * A bounded LRU of the current compiled ruleset only (a new version starts
 * empty), keyed by a digest of what the scan reads (language, text, media
 * hashes) and by the ruleset's expiry epoch: the only thing in a scan that
 * depends on the time is whether a rule has expired, so `now` is mapped to
 * how many of the ruleset's expiry times have passed, and a hit list is
 * reused only within the same span between two expiries. Entries hold the
 * hits only, never the text. Callers must not change the hits they get.
 */
export class ScanCache {
  private compiled: CompiledRuleset | undefined;
  /** The compiled ruleset's rule expiry times, epoch ms, ascending. */
  private expiries: number[] = [];
  private entries = new Map<string, ScanHits>();

  constructor(private readonly maxEntries = 10_000) {}

  scan(compiled: CompiledRuleset, input: ScanInput, now: Date): ScanHits {
    if (this.maxEntries <= 0) return scanContent(compiled, input, now);
    if (compiled !== this.compiled) {
      // Hits of another ruleset never apply; an older ruleset still in use during a swap is not cached.
      if (this.compiled && compiled.version < this.compiled.version) return scanContent(compiled, input, now);
      this.reset(compiled);
    }
    const key = this.keyOf(input, now.getTime());
    const hit = this.entries.get(key);
    if (hit) {
      // Most recent last: Map keeps insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const { hits, shadowHits } = scanContent(compiled, input, now);
    const entry = { hits, shadowHits };
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }

  private reset(compiled: CompiledRuleset): void {
    this.compiled = compiled;
    this.entries = new Map();
    this.expiries = compiled.rules
      .flatMap((r) => (r.expiresAt === undefined ? [] : [Date.parse(r.expiresAt)]))
      .filter((t) => Number.isFinite(t))
      .sort((a, b) => a - b);
  }

  /** How many expiry times are at or before `nowMs` (a rule is expired from its expiresAt on). */
  private epochOf(nowMs: number): number {
    let lo = 0;
    let hi = this.expiries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.expiries[mid] as number) <= nowMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private keyOf(input: ScanInput, nowMs: number): string {
    const h = createHash('sha256');
    // Lengths first: no two different inputs hash the same byte stream.
    const parts = [input.lang ?? '', input.text ?? '', (input.mediaSha256 ?? []).join(','), (input.mediaPdq ?? []).join(',')];
    h.update(parts.map((p) => p.length).join(':'));
    for (const p of parts) h.update('\u0000').update(p);
    return `${this.epochOf(nowMs)}:${h.digest('base64')}`;
  }
}
