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
import { transformFile } from '@swc/core';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const [projectRoot] = process.argv.slice(2);
if (!projectRoot) {
  console.error('usage: node tools/build.mjs <project root, e.g. apps/gateway>');
  process.exit(2);
}
const files = await build(relative(root, resolve(projectRoot)));
console.log(`${projectRoot}: ${files} files in dist/${projectRoot}/src`);
