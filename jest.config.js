// `npm test` runs every project's tests in one jest run. Integration and end-to-end tests
// start real processes (Postgres databases, nats-servers, whole regions), so the default
// timeout is generous; unit tests finish in milliseconds either way.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

module.exports = {
  projects: [
    '<rootDir>/libs/*/jest.config.js',
    '<rootDir>/apps/*/jest.config.js',
    // docker-compose.yml and the Kubernetes overlays, checked without a Docker engine or cluster
    '<rootDir>/deploy/jest.config.js',
    // the workspace's own rules (module boundaries)
    '<rootDir>/tools/jest.config.js',
    // the end-to-end suite: real clients against regions started by the dev launcher
    ...(existsSync(join(__dirname, 'e2e', 'jest.config.js'))
      ? ['<rootDir>/e2e/jest.config.js']
      : []),
  ],
  testTimeout: 120_000,
};
