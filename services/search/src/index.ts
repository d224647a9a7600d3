export * from './app';
export * from './build-deps';
export * from './deps';
export * from './takedown-tracker';
export * from './search-metrics';
export { filterBody } from './filter-search';
export * from './geo-field-resolver';
export * from './upstream-client';
export * from './query-log';
