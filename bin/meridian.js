#!/usr/bin/env node
// The package's `meridian` command (package.json `bin`): runs the CLI compiled into dist/
// (apps/cli). The sources are TypeScript; `npm run build` or `npx nx run cli:build`
// compiles them.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(
    'error: NOT_BUILT: the meridian CLI is not built yet: run `npx nx run cli:build` (or `npm run build`) first\n',
  );
  process.exit(1);
}
require(main);
