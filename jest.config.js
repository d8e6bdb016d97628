// `npm test` runs every project's tests in one jest run. Integration and end-to-end tests
// start real processes (Postgres databases, nats-servers, whole regions), so the default
// timeout is generous; unit tests finish in milliseconds either way.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/apps/*/jest.config.js'],
  testTimeout: 120_000,
};
