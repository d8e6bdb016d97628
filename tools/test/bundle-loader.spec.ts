/**
 * tools/bundle/main.js, what `node dist/apps/<service>/src/main.js` runs, and the V8 code
 * cache tools/bundle/make-code-cache.js makes for it, run by real node processes against a
 * small bundle in a temporary folder laid out as the build lays a service out.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';

const root = resolve(__dirname, '..', '..');
const makeCodeCache = join(root, 'tools', 'bundle', 'make-code-cache.js');
const { NODE_OPTIONS: _options, ...cleanEnv } = process.env;

/** A service folder: the loader as main.js, `source` bundled into service.js with its map and cache. */
function serviceFolder(source: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'meridian-bundle-'));
  writeFileSync(join(folder, 'service.ts'), source);
  buildSync({
    entryPoints: [join(folder, 'service.ts')],
    outfile: join(folder, 'service.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    sourcemap: 'linked',
    // as tools/build.mjs bundles: a script compiled from a code cache has no dynamic import
    supported: { 'dynamic-import': false },
    logLevel: 'error',
  });
  copyFileSync(join(root, 'tools', 'bundle', 'main.js'), join(folder, 'main.js'));
  execFileSync(process.execPath, [makeCodeCache, join(folder, 'service.js')]);
  return folder;
}

function runNode(args: string[], env: NodeJS.ProcessEnv = cleanEnv) {
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

/** Whether V8 takes `folder`'s cache for its service.js, compiled as the loader compiles it, under `flags`. */
function cacheTaken(folder: string, flags: string[] = []): boolean {
  return (
    runNode([...flags, makeCodeCache, '--check', join(folder, 'service.js')]).stdout === 'taken'
  );
}

describe('a bundled service started through tools/bundle/main.js', () => {
  const folders: string[] = [];
  afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  it('runs service.js as a CommonJS module of its own folder, dynamic imports included', async () => {
    const folder = serviceFolder(`
      import { join } from 'node:path';
      async function main() {
        const os = await import('node:os');
        console.log(JSON.stringify({
          filename: __filename,
          dirname: __dirname,
          beside: join(__dirname, 'migrations'),
          resolves: require.resolve('node:path'),
          main: require.main?.filename,
          exports: typeof module.exports,
          imported: typeof os.cpus,
        }));
      }
      void main();
    `);
    folders.push(folder);

    const run = runNode([join(folder, 'main.js')]);

    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      filename: join(folder, 'service.js'),
      dirname: folder,
      beside: join(folder, 'migrations'),
      resolves: 'node:path',
      main: join(folder, 'main.js'),
      exports: 'object',
      imported: 'function',
    });
  });

  it('has a code cache V8 takes without flags, and starts from the source when flags differ', () => {
    const folder = serviceFolder(`console.log('started');`);
    folders.push(folder);

    expect(cacheTaken(folder)).toBe(true);
    expect(cacheTaken(folder, ['--max-old-space-size=200'])).toBe(false);
    expect(runNode(['--max-old-space-size=200', join(folder, 'main.js')]).stdout).toBe('started');
  });

  it('leads stack traces back to the sources under --enable-source-maps', () => {
    const folder = serviceFolder(`
      function failing(): never {
        throw new Error('from the sources');
      }
      failing();
    `);
    folders.push(folder);

    const plain = runNode([join(folder, 'main.js')]);
    const mapped = runNode(['--enable-source-maps', join(folder, 'main.js')]);

    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toContain('service.js');
    expect(mapped.stderr).toMatch(/service\.ts:3:\d+/);
  });
});
