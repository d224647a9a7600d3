export * from './app';
export * from './build-deps';
export * from './deps';
export * from './bulk-parse';
export * from './write-item';
export * from './ingest-batch';
export * from './ingest-metrics';
export * from './id-locks';
