export * from './access';
export * from './app';
export * from './deps';
export * from './build-deps';
export * from './rules/publisher';
export * from './legal/legal-desk';
export * from './http/legal-schemas';
export * from './rules/preview';
