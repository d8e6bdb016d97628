module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'cli',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // program.ts imports each command's module lazily by its compiled name (`./x.js`)
  moduleNameMapper: {
    ...require('../../jest.preset.js').moduleNameMapper,
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
