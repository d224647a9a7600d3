import fc from 'fast-check';
import { PdqIndex } from './pdq-index';
import type { PdqHash } from './pdq-hex';

/** A copy of `h` with `flips` distinct bits flipped, chosen by `seed`. */
function nearby(h: PdqHash, flips: number, seed: number): PdqHash {
  const out = Uint16Array.from(h);
  const bits = Array.from({ length: 256 }, (_, i) => i);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < flips; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = i + (s % (256 - i));
    const t = bits[i] as number;
    bits[i] = bits[j] as number;
    bits[j] = t;
    const k = bits[i] as number;
    out[k >> 4] = (out[k >> 4] as number) ^ (1 << (k & 15));
  }
  return out;
}

const hashArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => new Uint16Array(b.buffer.slice(0)));

describe('PdqIndex', () => {
  test('returns exactly the linear scan answers (random sets with planted neighbours at 0..40 bits)', () => {
    fc.assert(
      fc.property(
        fc.array(hashArb, { minLength: 1, maxLength: 60 }),
        hashArb,
        fc.array(fc.record({ flips: fc.integer({ min: 0, max: 40 }), seed: fc.integer() }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 63 }),
        (background, query, planted, maxDistance) => {
          const hashes = [...background, ...planted.map((p) => nearby(query, p.flips, p.seed))];
          const index = new PdqIndex(hashes);
          expect(index.query(query, maxDistance)).toEqual(index.scan(query, maxDistance));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('finds a neighbour at exactly 31 bits, not one at 32, among thousands', () => {
    const base = new Uint16Array(16).map((_, i) => (i * 40503) & 0xffff);
    const hashes: PdqHash[] = [];
    for (let i = 0; i < 5000; i++) hashes.push(nearby(base, 100 + (i % 50), i + 1));
    hashes.push(nearby(base, 31, 7), nearby(base, 32, 8));
    const found = new PdqIndex(hashes).query(base, 31);
    expect(found).toEqual([{ index: 5000, distance: 31 }]);
  });

  test('duplicates are all returned, and an empty index answers nothing', () => {
    const h = new Uint16Array(16).fill(0xabcd);
    expect(new PdqIndex([h, h]).query(h, 0).map((n) => n.index)).toEqual([0, 1]);
    expect(new PdqIndex([]).query(h, 31)).toEqual([]);
    expect(() => new PdqIndex([h]).query(h, 64)).toThrow(RangeError);
  });
});
