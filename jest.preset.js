// Shared jest settings: SWC compiles TypeScript with decorator metadata (NestJS DI needs it),
// and the tsconfig path aliases map to the libs' sources.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    path.join(__dirname, target),
  ]),
);

module.exports = {
  testEnvironment: 'node',
  // integration and end-to-end tests start real processes; unit tests finish long before this
  testTimeout: 60_000,
  // NestJS 12 and jose ship ES modules only; Node 20 can require() them, jest's runtime cannot, so
  // jest compiles them to CommonJS with the same SWC settings.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@fastify|fastify|jose)/)'],
  transform: {
    '^.+\\.(ts|js|mjs)$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
};
