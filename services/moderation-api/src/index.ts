export * from './access';
export * from './app';
export * from './deps';
export * from './build-deps';
export * from './rules/publisher';
export * from './rules/preview';
