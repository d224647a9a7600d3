export * from './rule';
export * from './fold-tables';
export * from './normalizer';
export * from './token-table';
export * from './compile';
export * from './match';
export * from './guard';
export * from './rewrite';
export { CHECK_BUDGET, MIN_PATTERN_LITERALS } from './block/block-check';
export * from './scan-content';
export * from './lists/shipped-lists';
/** Rule builders and synthetic words for tests and benchmarks. */
export * as testing from './testing/rules-fixture';
export * from './rules-io/import-rules';
export * from './rules-io/diff';
export * from './content-query';
export * from './rules-io/backfill-plan';
