// Nx plugin (nx.json `plugins`): every app and library under apps/ and libs/ with sources
// (src/main.ts or src/index.ts) gets a `build` target, tools/build.mjs, so one added or
// moved builds without a line of configuration. The test harness (type:testing) runs only
// in tests and is not built. `^build` builds a project's libraries first; each build is
// cached on the project's production files, its libraries' (`^production`: a service's
// bundle holds its libraries' code, so a change to one must build the bundle again, not
// restore it from the cache) and the build's own configuration.
const { existsSync, readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');

const build = {
  executor: 'nx:run-commands',
  options: { command: 'node tools/build.mjs {projectRoot}' },
  dependsOn: ['^build'],
  cache: true,
  inputs: [
    'production',
    '^production',
    '{workspaceRoot}/.swcrc',
    '{workspaceRoot}/tools/build.mjs',
    '{workspaceRoot}/tools/bundle/**',
  ],
  outputs: ['{workspaceRoot}/dist/{projectRoot}'],
};

function buildable(workspaceRoot, projectJson) {
  const root = join(workspaceRoot, dirname(projectJson));
  const { tags = [] } = JSON.parse(readFileSync(join(workspaceRoot, projectJson), 'utf8'));
  return (
    !tags.includes('type:testing') &&
    (existsSync(join(root, 'src', 'main.ts')) || existsSync(join(root, 'src', 'index.ts')))
  );
}

module.exports = {
  name: 'meridian-build',
  createNodes: [
    '{apps,libs}/*/project.json',
    (projectJsons, _options, context) =>
      projectJsons
        .filter((file) => buildable(context.workspaceRoot, file))
        .map((file) => [file, { projects: { [dirname(file)]: { targets: { build } } } }]),
  ],
};
