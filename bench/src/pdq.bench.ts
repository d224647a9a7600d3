// `npm run bench -- pdq [hashes] [--no-bktree]`: PDQ hashing throughput on one core, and
// matching against 1,000,000 hashes at distance ≤ 31 with the multi-index
// (PdqIndex) against a linear scan and a BK-tree, all measured in this run
// on the same data. Ends with one JSON line.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { PdqIndex, lumaFromPixels, pdqDistance, pdqFromLuma, type PdqHash } from '@takedown/search-rules';
import { pdqOfImage } from '@takedown/moderation-api';
import { round } from './bench-env';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const WITH_BK = !process.argv.includes('--no-bktree');
const THRESHOLD = 31;
const QUERIES = 2000;
const SCAN_QUERIES = 40;
const BK_QUERIES = WITH_BK ? 40 : 0;
const FIXTURES = path.resolve(__dirname, '../../test/fixtures/pdq');

// "Per core": libvips would otherwise decode on a thread pool.
sharp.concurrency(1);

let seed = 0x9e3779b9;
function rand32(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
function randomHash(): PdqHash {
  const h = new Uint16Array(16);
  for (let i = 0; i < 16; i++) h[i] = rand32() & 0xffff;
  return h;
}
function flipBits(h: PdqHash, flips: number): PdqHash {
  const out = Uint16Array.from(h);
  const done = new Set<number>();
  while (done.size < flips) {
    const k = rand32() & 255;
    if (done.has(k)) continue;
    done.add(k);
    out[k >> 4] = (out[k >> 4] as number) ^ (1 << (k & 15));
  }
  return out;
}

/** A BK-tree over Hamming distance (bench only: measured to choose the index). */
class BkTree {
  private readonly first: Int32Array;
  private readonly next: Int32Array;
  private readonly edge: Uint16Array;
  constructor(private readonly hashes: readonly PdqHash[]) {
    const n = hashes.length;
    this.first = new Int32Array(n).fill(-1);
    this.next = new Int32Array(n).fill(-1);
    this.edge = new Uint16Array(n);
    for (let i = 1; i < n; i++) {
      let node = 0;
      for (;;) {
        const d = pdqDistance(hashes[i] as PdqHash, hashes[node] as PdqHash);
        let c = this.first[node] as number;
        while (c !== -1 && this.edge[c] !== d) c = this.next[c] as number;
        if (c === -1) {
          this.edge[i] = d;
          this.next[i] = this.first[node] as number;
          this.first[node] = i;
          break;
        }
        node = c;
      }
    }
  }
  query(q: PdqHash, r: number): { hits: number; visited: number } {
    let hits = 0;
    let visited = 0;
    const stack = [0];
    while (stack.length > 0) {
      const node = stack.pop() as number;
      visited++;
      const d = pdqDistance(q, this.hashes[node] as PdqHash);
      if (d <= r) hits++;
      for (let c = this.first[node] as number; c !== -1; c = this.next[c] as number) {
        if (Math.abs((this.edge[c] as number) - d) <= r) stack.push(c);
      }
    }
    return { hits, visited };
  }
}

async function hashing() {
  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.jpg'));
  const images = files.map((f) => fs.readFileSync(path.join(FIXTURES, f)));
  for (const img of images) await pdqOfImage(img); // warm-up
  const rounds = 5;
  let t = performance.now();
  for (let r = 0; r < rounds; r++) for (const img of images) await pdqOfImage(img);
  const decodeAndHashPerSec = (rounds * images.length) / ((performance.now() - t) / 1000);
  // The pure TypeScript part alone, on a 512×512 plane (the largest the decoder hands over).
  const rgb = new Uint8Array(512 * 512 * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = rand32() & 255;
  const pure = 100;
  t = performance.now();
  for (let r = 0; r < pure; r++) pdqFromLuma(lumaFromPixels(rgb, 512, 512, 3), 512, 512);
  const hashOnlyPerSec = pure / ((performance.now() - t) / 1000);
  return { images: images.length, decodeAndHashPerSec: round(decodeAndHashPerSec, 1), hashOnly512PerSec: round(hashOnlyPerSec, 1) };
}

function matching() {
  const queries: PdqHash[] = [];
  const hashes: PdqHash[] = [];
  for (let i = 0; i < N; i++) hashes.push(randomHash());
  // Each query has a planted near-duplicate at 0..40 bits somewhere in the set.
  for (let q = 0; q < QUERIES; q++) {
    const query = randomHash();
    queries.push(query);
    hashes[(rand32() % N) >>> 0] = flipBits(query, q % 41);
  }
  let t = performance.now();
  const index = new PdqIndex(hashes);
  const buildMs = performance.now() - t;

  // Interleaved rounds, so a change in the machine's load (shared cores) falls on both sides alike.
  const ROUNDS = 8;
  let mihMs = 0;
  let scanMs = 0;
  let found = 0;
  let scanFound = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const qs = queries.slice((round * QUERIES) / ROUNDS, ((round + 1) * QUERIES) / ROUNDS);
    t = performance.now();
    for (const q of qs) found += index.query(q, THRESHOLD).length;
    mihMs += performance.now() - t;
    t = performance.now();
    for (let i = 0; i < SCAN_QUERIES / ROUNDS; i++) scanFound += index.scan(qs[i] as PdqHash, THRESHOLD).length;
    scanMs += performance.now() - t;
  }
  const mihPerSec = QUERIES / (mihMs / 1000);
  const scanPerSec = SCAN_QUERIES / (scanMs / 1000);
  // The index's answers against the scan's on the scanned queries (untimed).
  let agree = true;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < SCAN_QUERIES / ROUNDS; i++) {
      const q = queries[(round * QUERIES) / ROUNDS + i] as PdqHash;
      if (JSON.stringify(index.scan(q, THRESHOLD)) !== JSON.stringify(index.query(q, THRESHOLD))) agree = false;
    }
  }

  t = performance.now();
  const bk = new BkTree(WITH_BK ? hashes : hashes.slice(0, 1));
  const bkBuildMs = performance.now() - t;
  t = performance.now();
  let visited = 0;
  for (let i = 0; i < BK_QUERIES; i++) visited += bk.query(queries[i] as PdqHash, THRESHOLD).visited;
  const bkPerSec = BK_QUERIES / ((performance.now() - t) / 1000);

  return {
    hashes: N,
    threshold: THRESHOLD,
    buildMs: Math.round(buildMs),
    found,
    scanFound,
    agree,
    queriesPerSec: { mih: round(mihPerSec, 1), linearScan: round(scanPerSec, 1), ...(WITH_BK ? { bkTree: round(bkPerSec, 2) } : {}) },
    ...(WITH_BK ? { bkTree: { buildMs: Math.round(bkBuildMs), visitedPerQuery: Math.round(visited / BK_QUERIES) } } : {}),
    ratios: { mihVsScan: round(mihPerSec / scanPerSec, 1), ...(WITH_BK ? { bkTreeVsScan: round(bkPerSec / scanPerSec, 3) } : {}) },
  };
}

async function main() {
  const h = await hashing();
  console.log(`hashing, one core: ${h.decodeAndHashPerSec} images/s decoded and hashed (${h.images} fixtures); ${h.hashOnly512PerSec}/s PDQ alone on 512×512`);
  const m = matching();
  console.log(`${m.hashes} hashes, distance ≤ ${m.threshold}: index built in ${m.buildMs} ms; ${m.queriesPerSec.mih} queries/s (multi-index) vs ${m.queriesPerSec.linearScan} (linear scan) = ${m.ratios.mihVsScan}×; answers agree: ${m.agree}`);
  if (m.bkTree) console.log(`BK-tree: ${m.queriesPerSec.bkTree} queries/s (${m.ratios.bkTreeVsScan}× the scan), visits ${m.bkTree.visitedPerQuery} of ${m.hashes} nodes per query, built in ${m.bkTree.buildMs} ms`);
  console.log(JSON.stringify({ bench: 'pdq', hashing: h, matching: m }));
}

void main();
