export * from './run-backfill';
export * from './backfill-worker';
