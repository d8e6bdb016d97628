'use strict';
// `node tools/bundle/make-code-cache.js <bundle>`: writes <bundle>.cache, the V8 code cache
// of the bundle compiled as tools/bundle/main.js compiles it. tools/build.mjs runs it in a
// node of its own, with no flags and no NODE_OPTIONS, as the launcher starts the services:
// V8 accepts a cache only from the same version with the same flags.
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const vm = require('node:vm');

const [file] = process.argv.slice(2);
const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {
  filename: file,
});
writeFileSync(`${file}.cache`, script.createCachedData());
