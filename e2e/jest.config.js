// End-to-end tests: real clients (skopeo, podman, buildah, umoci) against a whole Meridian
// started by the dev launcher, one per test file. Files run one at a time: each starts
// Postgres, nats-server and three services, and the machine has two cores.
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testTimeout: 300_000,
  // the tests run the launcher and the services compiled: build them first
  globalSetup: '<rootDir>/build-meridian.js',
  maxWorkers: 1,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
};
