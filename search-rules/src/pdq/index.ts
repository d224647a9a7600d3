export * from './pdq-hex';
export { lumaFromPixels, pdqFromLuma, type PdqResult } from './pdq-hash';
export * from './pdq-index';
export * from './pdq-match';
export * from './pdq-of-pixels';
