import { PDQ_WORDS, popcount32, type PdqHash } from './pdq-hex';

/**
 * Multi-index hashing (Norouzi, Punjani, Fleet 2012; the layout of
 * ThreatExchange's PDQ MIH): the 256 bits are 16 chunks of 16 bits, one
 * table per chunk from chunk value to entries. Two hashes within distance
 * d differ in at most floor(d/16) bits in at least one chunk (pigeonhole:
 * otherwise every chunk would hold more and the total would exceed d), so
 * probing every chunk value within that radius finds every match; each
 * candidate is then checked on all 256 bits. At d ≤ 31 that is 17 probes
 * per chunk.
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

  constructor(hashes: readonly PdqHash[]) {
    const n = hashes.length;
    this.size = n;
    this.packed = new Uint32Array(n * 8);
    hashes.forEach((h, i) => {
      for (let k = 0; k < 8; k++) this.packed[i * 8 + k] = ((h[2 * k] as number) | ((h[2 * k + 1] as number) << 16)) >>> 0;
    });
    this.offsets = [];
    this.ids = [];
    for (let c = 0; c < CHUNKS; c++) {
      const counts = new Uint32Array(CHUNK_VALUES + 1);
      for (let i = 0; i < n; i++) {
        const v = this.chunk(i, c) + 1;
        counts[v] = (counts[v] as number) + 1;
      }
      for (let v = 0; v < CHUNK_VALUES; v++) counts[v + 1] = (counts[v + 1] as number) + (counts[v] as number);
      const fill = counts.slice(0, CHUNK_VALUES);
      const ids = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const v = this.chunk(i, c);
        ids[fill[v] as number] = i;
        fill[v] = (fill[v] as number) + 1;
      }
      this.offsets.push(counts);
      this.ids.push(ids);
    }
  }

  readonly size: number;

  /** Every entry within `maxDistance` (0..63) of `hash`, in index order. */
  query(hash: PdqHash, maxDistance: number): PdqNeighbour[] {
    if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > PDQ_MAX_DISTANCE) throw new RangeError(`pdq: distance must be an integer 0..${PDQ_MAX_DISTANCE}`);
    const q = packQuery(hash);
    const radius = Math.floor(maxDistance / CHUNKS);
    if (radius > MAX_PROBE_RADIUS) return scanPacked(this.packed, this.size, q, maxDistance);
    const out: PdqNeighbour[] = [];
    const probes = new Int32Array(probeCount(radius));
    for (let c = 0; c < CHUNKS; c++) {
      const count = chunkProbes(hash[c] as number, radius, probes);
      const offsets = this.offsets[c] as Uint32Array;
      const ids = this.ids[c] as Uint32Array;
      for (let p = 0; p < count; p++) {
        const value = probes[p] as number;
        const end = offsets[value + 1] as number;
        for (let at = offsets[value] as number; at < end; at++) {
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

/** Every 16-bit value within `radius` bits of `v` into `out`; returns how many. */
function chunkProbes(v: number, radius: number, out: Int32Array): number {
  let n = 0;
  out[n++] = v;
  if (radius < 1) return n;
  for (let a = 0; a < 16; a++) {
    const va = v ^ (1 << a);
    out[n++] = va;
    if (radius < 2) continue;
    for (let b = a + 1; b < 16; b++) {
      const vb = va ^ (1 << b);
      out[n++] = vb;
      if (radius < 3) continue;
      for (let e = b + 1; e < 16; e++) out[n++] = vb ^ (1 << e);
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
