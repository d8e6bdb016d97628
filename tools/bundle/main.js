'use strict';
// dist/apps/<service>/src/main.js of a bundled service (tools/build.mjs): runs service.js,
// the service bundled into one file beside this one, with the V8 code cache the build made
// of it (service.js.cache), so a start does not parse the whole bundle again.
// - V8 checks the cache against the source, its own version and its flags, and compiles
//   from the source when any of them differs (another Node, a heap flag such as the
//   gateway's --max-semi-space-size or a --max-old-space-size in NODE_OPTIONS): the cache
//   only ever saves time.
// - The bundle holds no import(): in Node 20 a script compiled from a code cache loses its
//   dynamic import callback, so tools/build.mjs has esbuild write import() as require().
// - With --enable-source-maps the bundle is required as any module is: Node applies its
//   source map only to modules it loads itself, and stack traces then name the sources.
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const file = join(__dirname, 'service.js');

function readCache() {
  try {
    return readFileSync(`${file}.cache`);
  } catch {
    return undefined;
  }
}

if (process.sourceMapsEnabled) {
  require(file);
} else {
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    cachedData: readCache(),
  });
  const service = new Module(file, module);
  service.filename = file;
  script.runInThisContext()(service.exports, Module.createRequire(file), service, file, __dirname);
  service.loaded = true;
}
