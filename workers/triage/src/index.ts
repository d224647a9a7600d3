export * from './triage-report';
export * from './triage-worker';
export * from './fold-batcher';
export * from './notice-writer';
export * from './scan-cache';
export * from './triage-metrics';
