// One `npm test` runs two projects: unit tests (*.test.ts, no servers) and
// integration tests (*.int.test.ts) against the real Redis and Elasticsearch
// that test/support/global-setup.mjs brings up through scripts/services.mjs.
const fs = require('node:fs');
const path = require('node:path');

/** Maps every workspace package name to its TypeScript sources, so tests run without a build. */
function workspaceModuleMap() {
  const root = __dirname;
  const { workspaces } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const map = {};
  for (const pattern of workspaces) {
    const dirs = pattern.endsWith('/*')
      ? fs
          .readdirSync(path.join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => path.join(pattern.slice(0, -2), d.name))
      : [pattern];
    for (const dir of dirs) {
      const pkgFile = path.join(root, dir, 'package.json');
      const index = path.join(root, dir, 'src', 'index.ts');
      if (!fs.existsSync(pkgFile) || !fs.existsSync(index)) continue;
      const { name } = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
      map[`^${name.replace('/', '\\/')}$`] = index;
    }
  }
  return map;
}

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json', }] },
  moduleNameMapper: workspaceModuleMap(),
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.data/'],
  modulePathIgnorePatterns: ['/dist/', '/.data/'],
};

module.exports = {
  // Integration tests wait on real servers; unit tests finish long before.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.int\\.test\\.ts$', '\\.fault\\.test\\.ts$', '\\.cluster\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
  ],
};
