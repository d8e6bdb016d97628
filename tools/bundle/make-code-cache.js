'use strict';
// `node tools/bundle/make-code-cache.js <bundle>`: writes <bundle>.cache, the V8 code cache
// of the bundle compiled as tools/bundle/main.js compiles it. tools/build.mjs runs it in a
// node of its own, with no flags and no NODE_OPTIONS, as the launcher starts the services:
// V8 accepts a cache only from the same version with the same flags.
// `node tools/bundle/make-code-cache.js --check <bundle>` prints whether V8, under this
// node's flags, takes the cache written beside the bundle: `taken` or `rejected`.
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const vm = require('node:vm');

function compile(file, cachedData) {
  return new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
}

const args = process.argv.slice(2);
if (args[0] === '--check') {
  const file = args[1];
  const script = compile(file, readFileSync(`${file}.cache`));
  console.log(script.cachedDataRejected ? 'rejected' : 'taken');
} else {
  const [file] = args;
  writeFileSync(`${file}.cache`, compile(file).createCachedData());
}
