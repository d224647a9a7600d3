export * from './triage-report';
export * from './triage-worker';
