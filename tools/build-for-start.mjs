#!/usr/bin/env node
// `npm start`'s build step: `nx run dev:build` (the launcher, every service, the CLI and the
// portal, into dist/) unless nothing it reads has changed since the last build this script
// ran. Nx finding nothing to do still costs 2.4–3.2 s and 2.5 CPU-s on two cores (its
// project graph and task hashes); this check reads the same files in about 0.1 s.
//
// It is a superset of the build's inputs (nx.json, tools/build-target.js, apps/portal's own
// target): every file under apps/, libs/ (tests too) and tools/bundle/, the workspace files
// the builds and the project graph read, and the lock file. Their paths and contents are hashed; after a
// build that succeeded the hash is kept in dist/.start-build, computed before the build ran,
// so an edit made while it ran builds again next time. A dist/ missing one of the apps'
// outputs builds too. Anything else (a changed hash, no stamp, a failed build) runs Nx,
// which decides what to rebuild, as before.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const stampFile = join(root, 'dist', '.start-build');
const workspaceFiles = [
  '.swcrc',
  'nx.json',
  'package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'tsconfig.json',
  'jest.preset.js',
  'tools/build.mjs',
  'tools/build-target.js',
];

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

function inputsHash() {
  const hash = createHash('sha256');
  const paths = [
    ...workspaceFiles.map((file) => join(root, file)).filter((path) => existsSync(path)),
    ...files(join(root, 'tools', 'bundle')),
    ...files(join(root, 'apps')),
    ...files(join(root, 'libs')),
  ];
  for (const path of paths) {
    const content = readFileSync(path);
    hash.update(`${relative(root, path)}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

/** Every app's output: a service's (or the launcher's, the CLI's) main.js, the portal's index. */
function outputsPresent() {
  return readdirSync(join(root, 'apps')).every((app) =>
    app === 'portal'
      ? existsSync(join(root, 'dist', 'apps', 'portal', 'index.html'))
      : !existsSync(join(root, 'apps', app, 'src', 'main.ts')) ||
        existsSync(join(root, 'dist', 'apps', app, 'src', 'main.js')),
  );
}

const hash = inputsHash();
const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : undefined;
if (stamp === hash && outputsPresent()) process.exit(0);

const build = spawnSync('npx', ['nx', 'run', 'dev:build', '--output-style=dynamic-legacy'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false' },
});
if (build.status !== 0) process.exit(build.status ?? 1);
writeFileSync(stampFile, `${hash}\n`);
