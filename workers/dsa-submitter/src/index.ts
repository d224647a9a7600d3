export * from './backoff';
export * from './submitter';
export * from './tdb-client';
export * from './tdb-response';
export * from './submitter-metrics';
