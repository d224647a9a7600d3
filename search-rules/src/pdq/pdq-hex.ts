/**
 * A PDQ hash is 256 bits held as 16 words of 16 bits, bit k in word k>>4 at
 * k&15, as the reference. Its hex form (64 digits) writes word 15 first.
 */
export type PdqHash = Uint16Array;

export const PDQ_WORDS = 16;
export const PDQ_HEX = /^[0-9a-fA-F]{64}$/;

export function isPdqHex(s: unknown): s is string {
  return typeof s === 'string' && PDQ_HEX.test(s);
}

export function pdqFromHex(hex: string): PdqHash {
  if (!isPdqHex(hex)) throw new RangeError('pdq: a hash is 64 hex digits');
  const words = new Uint16Array(PDQ_WORDS);
  for (let w = 0; w < PDQ_WORDS; w++) words[PDQ_WORDS - 1 - w] = parseInt(hex.slice(w * 4, w * 4 + 4), 16);
  return words;
}

export function pdqToHex(hash: PdqHash): string {
  let s = '';
  for (let w = PDQ_WORDS - 1; w >= 0; w--) s += (hash[w] as number).toString(16).padStart(4, '0');
  return s;
}

/** Set bits in a 32-bit integer (SWAR). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function pdqDistance(a: PdqHash, b: PdqHash): number {
  let d = 0;
  for (let w = 0; w < PDQ_WORDS; w++) d += popcount32(((a[w] as number) ^ (b[w] as number)) & 0xffff);
  return d;
}

/** Hamming distance of two 64-hex hashes. */
export function pdqHexDistance(a: string, b: string): number {
  return pdqDistance(pdqFromHex(a), pdqFromHex(b));
}
