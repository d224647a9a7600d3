export * from './apply-decision';
export * from './actions-worker';
export * from './outbox-sweeper';
export * from './actions-metrics';
