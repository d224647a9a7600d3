export * from './legal-jobs';
export * from './legal-sweeper';
export * from './legal-worker';
export * from './build-deps';
export * from './legal-metrics';
