import { jaroszFilter, jaroszWindowSize } from './jarosz-filter';
import { PDQ_WORDS, type PdqHash } from './pdq-hex';

/**
 * PDQ (Meta's perceptual image hash, ThreatExchange `pdq`), from luminance
 * to 256 bits. Steps as the reference: two-pass Jarosz box filter (a tent
 * filter) sized from the image, sample to 64×64, quality from the gradient
 * sum, the 16×16 low-frequency corner of the 64×64 DCT (skipping the DC
 * row and column), each bit = coefficient above the median.
 */

// Rec. 601 luma weights, as the reference.
const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

export interface PdqResult {
  hash: PdqHash;
  /** 0–100: how much structure the image has; below ~50 the hash says little. */
  quality: number;
}

/** The 16×64 DCT-II rows 1..16 (row 0, the DC term, is left out as in the reference). */
const DCT = (() => {
  const m = new Float64Array(16 * 64);
  const scale = Math.sqrt(2 / 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) m[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return m;
})();

/**
 * Luminance of interleaved 8-bit pixels (RGB, or RGBA whose alpha is
 * ignored as the reference ignores it), row-major.
 */
export function lumaFromPixels(pixels: Uint8Array, width: number, height: number, channels: number): Float32Array {
  if (channels < 3) throw new RangeError('pdq: need at least 3 channels');
  const n = width * height;
  if (pixels.length < n * channels) throw new RangeError('pdq: pixel buffer shorter than width × height × channels');
  const luma = new Float32Array(n);
  for (let p = 0, o = 0; p < n; p++, o += channels) {
    luma[p] = LUMA_R * (pixels[o] as number) + LUMA_G * (pixels[o + 1] as number) + LUMA_B * (pixels[o + 2] as number);
  }
  return luma;
}

/** PDQ of a luminance plane (row-major, `rows` × `cols`). The plane is filtered in place. */
export function pdqFromLuma(luma: Float32Array, rows: number, cols: number): PdqResult {
  if (rows < 1 || cols < 1 || luma.length < rows * cols) throw new RangeError('pdq: empty or short luminance plane');
  const scratch = new Float32Array(rows * cols);
  jaroszFilter(luma, scratch, rows, cols, jaroszWindowSize(cols), jaroszWindowSize(rows));
  const small = decimate(luma, rows, cols);
  const quality = qualityOf(small);
  const coeffs = dct16(small);
  return { hash: bitsAboveMedian(coeffs), quality };
}

/** Nearest sample at each of 64×64 cell centres. */
function decimate(plane: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(64 * 64);
  for (let i = 0; i < 64; i++) {
    const r = Math.floor(((i + 0.5) * rows) / 64);
    for (let j = 0; j < 64; j++) {
      const c = Math.floor(((j + 0.5) * cols) / 64);
      out[i * 64 + j] = plane[r * cols + c] as number;
    }
  }
  return out;
}

/** The reference's heuristic: quantised absolute gradients summed, /90, capped at 100. */
function qualityOf(a: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) sum += Math.abs(Math.trunc((((a[i * 64 + j] as number) - (a[(i + 1) * 64 + j] as number)) * 100) / 255));
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) sum += Math.abs(Math.trunc((((a[i * 64 + j] as number) - (a[i * 64 + j + 1] as number)) * 100) / 255));
  }
  return Math.min(100, Math.trunc(sum / 90));
}

/** B = D · A · Dᵀ, only the 16×16 needed. */
function dct16(a: Float64Array): Float64Array {
  const t = new Float64Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let k = 0; k < 64; k++) {
      const d = DCT[i * 64 + k] as number;
      const row = k * 64;
      const ti = i * 64;
      for (let j = 0; j < 64; j++) t[ti + j] = (t[ti + j] as number) + d * (a[row + j] as number);
    }
  }
  const b = new Float64Array(256);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let s = 0;
      for (let k = 0; k < 64; k++) s += (t[i * 64 + k] as number) * (DCT[j * 64 + k] as number);
      b[i * 16 + j] = s;
    }
  }
  return b;
}

/**
 * Bit i·16+j set when coefficient (i, j) exceeds the median. The median is
 * the 128th smallest, as the reference's Torben selection returns for 256.
 */
function bitsAboveMedian(coeffs: Float64Array): PdqHash {
  const sorted = Float64Array.from(coeffs).sort();
  const median = sorted[127] as number;
  const words = new Uint16Array(PDQ_WORDS);
  for (let k = 0; k < 256; k++) {
    if ((coeffs[k] as number) > median) words[k >> 4] = (words[k >> 4] as number) | (1 << (k & 15));
  }
  return words;
}
