// `npm run test:faults`: the fault suite (issue 15). Each scenario starts its
// own Redis and Elasticsearch through scripts/services.mjs (own ports, own
// data dir under .data/faults), kills or stops them at named points and prints
// its figures as one JSON line. Not part of `npm test`: it needs minutes.
const base = require('./jest.config.js');
const common = base.projects[1]; // the integration project: its ignores leave *.fault.test.ts in

module.exports = {
  testTimeout: 15 * 60_000,
  // One scenario at a time: they start servers and measure.
  maxWorkers: 1,
  projects: [
    {
      transform: common.transform,
      moduleNameMapper: common.moduleNameMapper,
      testEnvironment: 'node',
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.fault.test.ts'],
      testPathIgnorePatterns: common.testPathIgnorePatterns,
      modulePathIgnorePatterns: common.modulePathIgnorePatterns,
    },
  ],
};
