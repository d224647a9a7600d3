export * from './feature';
export * from './snapshot-keys';
export * from './compile-features';
export * from './evaluate';
export * from './feature-client';
export * from './coalesced';
export * from './sharded-pubsub';
