// Lint rules for the whole workspace. Module boundaries are enforced by Nx project tags:
// a `type:` tag says what layer a project is (apps never import apps; contracts and oci stay
// pure), a `scope:` tag what part of Meridian it serves (the gateway reaches data only over
// NATS; scanning belongs to the scan service). A project must satisfy every constraint that
// names one of its tags; lint fails on any import outside them
// (tools/test/module-boundaries.spec.ts proves it does).
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Which project types may import which.
const typeConstraints = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra'],
  },
  {
    sourceTag: 'type:infra',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra'],
  },
  { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
  // the CLI runs on an operator's machine: the registry's vocabulary (contracts, the OCI
  // grammar), no broker, database or store
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain'] },
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'] },
  {
    sourceTag: 'type:testing',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra', 'type:testing'],
  },
  // deployment checks, benchmarks and the test runner look at the whole system
  { sourceTag: 'type:test-only', onlyDependOnLibsWithTags: ['*'] },
  {
    sourceTag: 'type:e2e',
    onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:infra', 'type:testing'],
  },
];

// Which part of Meridian may reach which libraries. `scope:shared` libraries serve everyone
// and reach nothing scoped; the region's database is for the services that keep a schema in
// it; scanning is the scan service's alone.
const scopeConstraints = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:database', onlyDependOnLibsWithTags: ['scope:shared'] },
  // the gateway streams bytes and asks the services over NATS; it holds no data of its own
  { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:shared'] },
  // the dev launcher starts the services as processes, it does not import them
  { sourceTag: 'scope:launcher', onlyDependOnLibsWithTags: ['scope:shared'] },
  // the `meridian` CLI speaks to a registry over HTTP only: shared libraries, never a service's
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:shared'] },
  // the web portal runs in a browser and speaks to the registry over its public HTTP APIs
  // only: it imports no Meridian library (they are Node code), only its own files and npm's
  { sourceTag: 'scope:portal', onlyDependOnLibsWithTags: [] },
  // auth, blob, manifest, replication and webhook: each keeps its own schema
  { sourceTag: 'scope:service', onlyDependOnLibsWithTags: ['scope:shared', 'scope:database'] },
  {
    sourceTag: 'scope:scan',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:database', 'scope:scan'],
  },
];

const depConstraints = [...typeConstraints, ...scopeConstraints];

// Test files may also use the test harness (libs/testing): it starts the real services.
const testDepConstraints = depConstraints.map((constraint) =>
  ['type:app', 'type:infra'].includes(constraint.sourceTag)
    ? {
        ...constraint,
        onlyDependOnLibsWithTags: [...constraint.onlyDependOnLibsWithTags, 'type:testing'],
      }
    : constraint,
);

function moduleBoundaries(constraints, allow = []) {
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow,
      depConstraints: constraints,
      banTransitiveDependencies: false,
    },
  ];
}

// What Node gives every script; the configuration files (.js) are CommonJS, tools/ are modules.
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'fetch',
    'performance',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
  ].map((name) => [name, 'readonly']),
);
const commonJsGlobals = Object.fromEntries(
  ['require', 'module', 'exports', '__dirname', '__filename'].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/tmp/**',
      '**/.nx/**',
      '**/.meridian/**',
      '**/coverage/**',
      // the OCI conformance suite's Go sources and the upstream tree it builds from
      'tools/conformance/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.mts'],
    languageOptions: { sourceType: 'module', globals: nodeGlobals },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...nodeGlobals, ...commonJsGlobals } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@nx/enforce-module-boundaries': moduleBoundaries(depConstraints),
    },
  },
  {
    files: ['libs/contracts/**/*.ts', 'libs/oci/**/*.ts'],
    // their tests may read fixture files
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@nestjs/*',
                '@nats-io/*',
                'postgres',
                '@aws-sdk/*',
                'node:fs',
                'node:net',
                'node:http',
              ],
              message: 'contracts and oci are pure: no framework, broker, database, SDK or I/O.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': moduleBoundaries(testDepConstraints),
    },
  },
  {
    // the benchmarks attach to a running dev launcher as its NATS observer, reading the
    // credentials file the launcher owns through the launcher's own module
    files: ['tools/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(depConstraints, [
        '../apps/dev/src/nats-credentials',
      ]),
    },
  },
  prettier,
);
