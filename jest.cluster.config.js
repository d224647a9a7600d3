// `npm run test:cluster`: tests against real local clusters (issue 18): a
// six-node Redis Cluster and a three-node Elasticsearch that
// test/cluster/support/global-setup.ts starts once per run through
// scripts/services.mjs on ports of their own (7100-7105, 9320-9322 /
// 9420-9422, standalone Redis 7199) and global-teardown stops. Tests kill
// and restart nodes, so they run one at a time (--runInBand).
const base = require('./jest.config.js');
const common = base.projects[1]; // the integration project's transform and module map

module.exports = {
  testTimeout: 10 * 60_000,
  maxWorkers: 1,
  projects: [
    {
      transform: common.transform,
      moduleNameMapper: common.moduleNameMapper,
      testEnvironment: 'node',
      displayName: 'cluster',
      testMatch: ['<rootDir>/test/cluster/**/*.cluster.test.ts'],
      testPathIgnorePatterns: common.testPathIgnorePatterns,
      modulePathIgnorePatterns: common.modulePathIgnorePatterns,
      globalSetup: '<rootDir>/test/cluster/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/support/global-teardown.ts',
    },
  ],
};
