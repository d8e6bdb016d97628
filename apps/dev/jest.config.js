module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'dev',
  rootDir: __dirname,
  testTimeout: 120_000,
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/test/**/*.int-spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
};
