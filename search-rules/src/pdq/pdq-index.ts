import { PDQ_WORDS, popcount32, type PdqHash } from './pdq-hex';

/**
 * Multi-index hashing (Norouzi, Punjani, Fleet 2012; the layout of
 * ThreatExchange's PDQ MIH): the 256 bits are 16 chunks of 16 bits (the
 * hash's words), one table per chunk from chunk value to entries.
 *
 * Pigeonhole, twice: the 16 chunks form 8 pairs (words 2k, 2k+1); two
 * hashes within distance d differ by at most s = floor(d/8) bits in some
 * pair, and within that pair by at most floor(s/2) in one of its chunks.
 * So probing each chunk's values within floor(s/2) bits finds every match,
 * and a candidate found through chunk c with f bits flipped can only match
 * if its partner chunk (c xor 1) is within s - f bits of the query's.
 * Each table keeps the partner chunk beside the entry id, so that filter
 * reads memory in order; only the ~1 % of candidates that pass it are
 * looked up (a random access) and checked on all 256 bits. At d ≤ 31:
 * s = 3, 17 probes per chunk.
 */

export const PDQ_MAX_DISTANCE = 63;
const CHUNKS = PDQ_WORDS;
const CHUNK_VALUES = 1 << 16;
/** Beyond this radius per chunk probing costs more than it saves; scan instead. */
const MAX_PROBE_RADIUS = 3;

export interface PdqNeighbour {
  /** Position of the entry in the hashes the index was built from. */
  index: number;
  distance: number;
}

export class PdqIndex {
  /** Entry i's hash as 8 × 32 bits (word 2k | word 2k+1 << 16), for fewer popcounts. */
  private readonly packed: Uint32Array;
  /** Per chunk: CSR offsets into `ids`, indexed by chunk value. */
  private readonly offsets: Uint32Array[];
  private readonly ids: Uint32Array[];
  /** Per chunk, in the same order as `ids`: the entry's partner chunk (c xor 1). */
  private readonly partners: Uint16Array[];

  constructor(hashes: readonly PdqHash[]) {
    const n = hashes.length;
    this.size = n;
    this.packed = new Uint32Array(n * 8);
    hashes.forEach((h, i) => {
      for (let k = 0; k < 8; k++) this.packed[i * 8 + k] = ((h[2 * k] as number) | ((h[2 * k + 1] as number) << 16)) >>> 0;
    });
    this.offsets = [];
    this.ids = [];
    this.partners = [];
    for (let c = 0; c < CHUNKS; c++) {
      const counts = new Uint32Array(CHUNK_VALUES + 1);
      for (let i = 0; i < n; i++) {
        const v = this.chunk(i, c) + 1;
        counts[v] = (counts[v] as number) + 1;
      }
      for (let v = 0; v < CHUNK_VALUES; v++) counts[v + 1] = (counts[v + 1] as number) + (counts[v] as number);
      const fill = counts.slice(0, CHUNK_VALUES);
      const ids = new Uint32Array(n);
      const partners = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const v = this.chunk(i, c);
        const at = fill[v] as number;
        ids[at] = i;
        partners[at] = this.chunk(i, c ^ 1);
        fill[v] = at + 1;
      }
      this.offsets.push(counts);
      this.ids.push(ids);
      this.partners.push(partners);
    }
  }

  readonly size: number;

  /** Every entry within `maxDistance` (0..63) of `hash`, in index order. */
  query(hash: PdqHash, maxDistance: number): PdqNeighbour[] {
    if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > PDQ_MAX_DISTANCE) throw new RangeError(`pdq: distance must be an integer 0..${PDQ_MAX_DISTANCE}`);
    const q = packQuery(hash);
    const pairBudget = Math.floor(maxDistance / 8);
    const radius = Math.floor(pairBudget / 2);
    if (radius > MAX_PROBE_RADIUS) return scanPacked(this.packed, this.size, q, maxDistance);
    const out: PdqNeighbour[] = [];
    const probes = new Int32Array(probeCount(radius));
    const flips = new Uint8Array(probes.length);
    for (let c = 0; c < CHUNKS; c++) {
      const count = chunkProbes(hash[c] as number, radius, probes, flips);
      const offsets = this.offsets[c] as Uint32Array;
      const ids = this.ids[c] as Uint32Array;
      const partners = this.partners[c] as Uint16Array;
      const qPartner = hash[c ^ 1] as number;
      for (let p = 0; p < count; p++) {
        const value = probes[p] as number;
        const budget = pairBudget - (flips[p] as number);
        const end = offsets[value + 1] as number;
        for (let at = offsets[value] as number; at < end; at++) {
          if (popcount32((partners[at] as number) ^ qPartner) > budget) continue;
          const i = ids[at] as number;
          const d = distanceAt(this.packed, i, q, maxDistance);
          if (d <= maxDistance) out.push({ index: i, distance: d });
        }
      }
    }
    // A match near in several chunks is found once per such chunk; matches are few, so
    // deduplicating them here is cheaper than marking every candidate as seen.
    out.sort((x, y) => x.index - y.index);
    return out.filter((n, k) => k === 0 || (out[k - 1] as PdqNeighbour).index !== n.index);
  }

  /** The same answer by checking every entry: the baseline and the oracle. */
  scan(hash: PdqHash, maxDistance: number): PdqNeighbour[] {
    return scanPacked(this.packed, this.size, packQuery(hash), maxDistance);
  }

  private chunk(i: number, c: number): number {
    const w = this.packed[i * 8 + (c >> 1)] as number;
    return c & 1 ? w >>> 16 : w & 0xffff;
  }

}

function probeCount(radius: number): number {
  return [1, 17, 137, 697][radius] as number;
}

/** Every 16-bit value within `radius` bits of `v` into `out`, its number of flipped bits into `flips`; returns how many. */
function chunkProbes(v: number, radius: number, out: Int32Array, flips: Uint8Array): number {
  let n = 0;
  const add = (value: number, f: number) => {
    out[n] = value;
    flips[n] = f;
    n++;
  };
  add(v, 0);
  if (radius < 1) return n;
  for (let a = 0; a < 16; a++) {
    const va = v ^ (1 << a);
    add(va, 1);
    if (radius < 2) continue;
    for (let b = a + 1; b < 16; b++) {
      const vb = va ^ (1 << b);
      add(vb, 2);
      if (radius < 3) continue;
      for (let e = b + 1; e < 16; e++) add(vb ^ (1 << e), 3);
    }
  }
  return n;
}

function packQuery(h: PdqHash): Uint32Array {
  const q = new Uint32Array(8);
  for (let k = 0; k < 8; k++) q[k] = ((h[2 * k] as number) | ((h[2 * k + 1] as number) << 16)) >>> 0;
  return q;
}

/** Distance to entry i, stopping once past `limit` (the caller only needs to know it is too far). */
function distanceAt(packed: Uint32Array, i: number, q: Uint32Array, limit: number): number {
  let d = 0;
  const base = i * 8;
  for (let k = 0; k < 8; k++) {
    d += popcount32(((packed[base + k] as number) ^ (q[k] as number)) >>> 0);
    if (d > limit) return d;
  }
  return d;
}

function scanPacked(packed: Uint32Array, n: number, q: Uint32Array, maxDistance: number): PdqNeighbour[] {
  const out: PdqNeighbour[] = [];
  for (let i = 0; i < n; i++) {
    const d = distanceAt(packed, i, q, maxDistance);
    if (d <= maxDistance) out.push({ index: i, distance: d });
  }
  return out;
}
