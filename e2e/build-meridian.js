// jest globalSetup of the end-to-end tests: builds the launcher and every service it runs
// (`nx run dev:build`), which the tests then run compiled, as `npm start` does. Nx restores
// what has not changed from its cache, so this costs seconds when nothing changed.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = function buildMeridian() {
  const root = join(__dirname, '..');
  const build = spawnSync(
    join(root, 'node_modules', '.bin', 'nx'),
    ['run', 'dev:build', '--output-style=static'],
    {
      cwd: root,
      // one process, no daemon left behind: the quickest way through a build with nothing to do
      env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_TUI: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    },
  );
  if (build.status !== 0)
    throw new Error(
      `nx run dev:build failed (exit ${build.status}):\n${build.stdout}${build.stderr}`,
    );
};
