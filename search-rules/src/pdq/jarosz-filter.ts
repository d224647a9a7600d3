/**
 * Jarosz ("Fast Image Convolutions", SIGGRAPH 2001): repeated 1-D box
 * filters along rows then columns approximate a tent filter; PDQ runs two
 * X,Y passes before sampling to 64×64, so each output cell averages its
 * whole block.
 */

const PASSES = 2;

/**
 * Window per pass: half a 64th of the dimension, rounded up (two passes
 * together span one 64th).
 */
export function jaroszWindowSize(dimension: number): number {
  return Math.floor((dimension + 127) / 128);
}

/** Filters `plane` (rows × cols, row-major) in place; `scratch` is the same size. */
export function jaroszFilter(plane: Float32Array, scratch: Float32Array, rows: number, cols: number, windowAlongRows: number, windowAlongCols: number): void {
  for (let p = 0; p < PASSES; p++) {
    for (let r = 0; r < rows; r++) box1d(plane, scratch, r * cols, 1, cols, windowAlongRows);
    for (let c = 0; c < cols; c++) box1d(scratch, plane, c, cols, rows, windowAlongCols);
  }
}

/**
 * Centred moving average over `length` samples spaced `stride` apart; the
 * window shrinks at both ends (the reference's four phases: fill, grow,
 * slide, shrink). Windows longer than the vector are clamped to it.
 */
function box1d(input: Float32Array, output: Float32Array, start: number, stride: number, length: number, window: number): void {
  const full = Math.max(1, Math.min(window, length));
  const half = Math.floor((full + 2) / 2);
  let sum = 0;
  let size = 0;
  let li = start;
  let ri = start;
  let oi = start;
  for (let i = 0; i < half - 1; i++) {
    sum += input[ri] as number;
    size++;
    ri += stride;
  }
  for (let i = 0; i < full - half + 1; i++) {
    sum += input[ri] as number;
    size++;
    output[oi] = sum / size;
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < length - full; i++) {
    sum += (input[ri] as number) - (input[li] as number);
    output[oi] = sum / size;
    li += stride;
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < half - 1; i++) {
    sum -= input[li] as number;
    size--;
    output[oi] = sum / size;
    li += stride;
    oi += stride;
  }
}
