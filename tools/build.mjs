#!/usr/bin/env node
// `node tools/build.mjs <project root>` (an app's or a library's folder): the project's `build`
// target (nx.json), which Nx runs for the libraries a project imports before the project.
// Compiles <project root>/src to dist/<project root>/src with SWC and the repository's .swcrc
// (legacy decorators with their metadata: NestJS injects by it, so esbuild and tsc's
// isolated transpile would not do). The @meridian/* aliases of tsconfig.base.json become
// relative requires; dist/ mirrors the repository's layout, so they hold there as they do
// in the sources. Every other file under src (the services' SQL migrations) is copied
// beside the compiled code. Imports of packages (and of the @meridian/* libraries) are lazy:
// see swcOptions. Tests and their fixtures stay out. The project's dist/ folder is
// emptied first: nothing renamed or deleted in the sources lingers there.
//
// A service (an app with a Nest root module, src/app.module.ts) is then bundled: esbuild
// joins its compiled main.js, the libraries and the packages it imports into one file,
// service.js in the same folder, so `__dirname` (the migrations) holds, and main.js becomes
// tools/bundle/main.js, which runs it with the V8 code cache made here. See bundle().
import { transformFile } from '@swc/core';
import { build as esbuild } from 'esbuild';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const testFile = /\.(spec|int-spec|e2e-spec)\.ts$|\.d\.ts$/;

async function swcOptions() {
  const { $schema: _schema, ...swcrc } = JSON.parse(await readFile(join(root, '.swcrc'), 'utf8'));
  const { compilerOptions } = JSON.parse(await readFile(join(root, 'tsconfig.base.json'), 'utf8'));
  return {
    ...swcrc,
    swcrc: false,
    jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths },
    // a package's require() runs where one of its bindings is first used, not when the module
    // importing it loads: a service never loads what its configuration leaves unused (the S3
    // SDK beside a directory store, OpenTelemetry's SDK and exporters with no OTLP endpoint).
    // Relative imports and side-effect-only ones (`import 'reflect-metadata'`) stay eager.
    module: { ...swcrc.module, lazy: true },
  };
}

async function* sourceFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__fixtures__') yield* sourceFiles(path);
    } else if (!testFile.test(entry.name)) {
      yield path;
    }
  }
}

async function build(projectRoot) {
  const source = join(root, projectRoot, 'src');
  const out = join(root, 'dist', projectRoot, 'src');
  await rm(join(root, 'dist', projectRoot), { recursive: true, force: true });
  const options = await swcOptions();
  const written = [];
  for await (const file of sourceFiles(source)) {
    const target = join(out, relative(source, file));
    await mkdir(dirname(target), { recursive: true });
    if (file.endsWith('.ts')) {
      const { code } = await transformFile(file, { ...options, filename: file });
      written.push(writeFile(target.replace(/\.ts$/, '.js'), code));
    } else {
      written.push(copyFile(file, target));
    }
  }
  await Promise.all(written);
  return written.length;
}

/**
 * Node's module loader was three quarters of a service's start: resolving, reading and
 * compiling hundreds of files (Nest, the NATS client, zod, OpenTelemetry…), each its own
 * stat, realpath, package.json read and compile, in every one of a region's processes. One
 * file is one read and one compile; a start measured 1.3–1.5 CPU-s before and 0.7–0.75 after,
 * 0.55–0.6 with the code cache below (docs/benchmarks.md, "One file per service").
 * - Still lazy: esbuild turns every module into a function run at its first require, as the
 *   compiled code's lazy requires ask, so what a configuration leaves unused is only parsed.
 * - Whitespace and syntax are minified (−9 MiB of each service's memory), names are not:
 *   Nest's injection, its logs and stack traces read by them. Meridian's own modules keep
 *   every name; a class of a package shipped as ES modules (Nest's own, the NATS client's)
 *   whose body names itself is renamed `_Name` (`ExceptionHandler` logs as
 *   `_ExceptionHandler`). esbuild's keepNames would undo that, but it wraps every function
 *   of the bundle at its definition: +9 MiB a service. The source map beside it leads
 *   back to the TypeScript sources: run with NODE_OPTIONS=--enable-source-maps to read stack
 *   traces by source line (not the default: it costs every start the map's parse).
 * - Left to node_modules: a native addon and optional packages (leftInNodeModules).
 * - `import.meta.url` (Nest's ES modules load their optional packages relative to it) is
 *   the bundle's own URL.
 * - The bundle is service.js; main.js runs it with a V8 code cache made here (compiling it
 *   was the largest part left of a start, 120 of 700 CPU-ms) by a node of its own with no
 *   flags and no NODE_OPTIONS, as the launcher starts every service but the gateway: V8
 *   takes a cache only from its own version with the same flags, and compiles from the
 *   source otherwise.
 */
async function bundle(projectRoot) {
  const folder = join(root, 'dist', projectRoot, 'src');
  const service = join(folder, 'service.js');
  const { outputFiles } = await esbuild({
    entryPoints: [join(folder, 'main.js')],
    outfile: service,
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'error',
    // import() becomes require(): a script compiled from a code cache has no dynamic import
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': 'import_meta_url' },
    inject: [join(root, 'tools', 'bundle', 'import-meta-url.js')],
    external: leftInNodeModules,
  });
  await Promise.all(
    outputFiles.map(({ path, text }) => writeFile(path, path === service ? asciiOnly(text) : text)),
  );
  await copyFile(join(root, 'tools', 'bundle', 'main.js'), join(folder, 'main.js'));
  const { NODE_OPTIONS: _options, ...env } = process.env;
  const makeCodeCache = join(root, 'tools', 'bundle', 'make-code-cache.js');
  await promisify(execFile)(process.execPath, [makeCodeCache, service], { env });
}

/**
 * esbuild escapes every character outside ASCII but those of regular expression literals
 * (the NATS client's /µs/). One such character makes V8 hold the whole bundle, a service's
 * source, as a two-byte string: twice its 4–7 MB for the life of the process, and a slower
 * read. `\uXXXX` means the same code unit in any regular expression (and anywhere else).
 */
function asciiOnly(code) {
  return code.replace(
    /[^\0-\x7f]/g,
    (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * What a bundle leaves to node_modules, as require()s. A package missing here that cannot be
 * bundled fails the build ("Could not resolve"), not a start.
 * - argon2, a native addon: it finds its binary beside its own files.
 * - Optional packages, not installed, that a dependency imports only when asked for them:
 *   Nest's other transports and platforms, class-validator and class-transformer for its
 *   pipes, the WebSocket module; Fastify's plugins; the AWS SDK's native CRT signer.
 */
const leftInNodeModules = [
  'argon2',
  '@nestjs/platform-express',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  'amqp-connection-manager',
  'class-transformer',
  'class-validator',
  'ioredis',
  'kafkajs',
  'mqtt',
  '@fastify/multipart',
  '@fastify/static',
  '@fastify/view',
  '@aws-sdk/signature-v4-crt',
];

const [projectRoot] = process.argv.slice(2);
if (!projectRoot) {
  console.error('usage: node tools/build.mjs <project root, e.g. apps/gateway>');
  process.exit(2);
}
const project = relative(root, resolve(projectRoot));
const files = await build(project);
const service = existsSync(join(root, project, 'src', 'app.module.ts'));
if (service) await bundle(project);
console.log(
  `${projectRoot}: ${files} files in dist/${projectRoot}/src${service ? ', bundled into service.js' : ''}`,
);
