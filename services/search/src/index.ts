export * from './app';
export * from './build-deps';
export * from './deps';
export * from './takedown-tracker';
export * from './search-metrics';
