export * from './run-backfill';
export * from './backfill-worker';
export * from './build-deps';
export * from './backfill-metrics';
