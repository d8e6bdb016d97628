module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'blob',
  rootDir: __dirname,
  // integration tests start nats-server and Postgres databases, and a service process
  testTimeout: 60_000,
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/test/**/*.int-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
};
