/**
 * What `npm start` and the image run of a service: dist/apps/<service>/src/main.js, the
 * loader of tools/bundle/main.js, runs service.js beside it, the service bundled into one
 * file by tools/build.mjs, with the V8 code cache the build made (docs/benchmarks.md, "One
 * file per service"). A start that loaded the compiled modules one by one again would cost
 * each service twice the CPU; a bundle V8 held as a two-byte string, twice its memory; a
 * cache V8 refused, the compile it saves. Every other e2e test runs these files; this one
 * says what they must be.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serviceEntryPoint } from './support/compiled-meridian';

const root = join(__dirname, '..', '..');

/** the apps with a Nest root module: the services the launcher and the image run */
const services = readdirSync(join(root, 'apps')).filter((app) =>
  existsSync(join(root, 'apps', app, 'src', 'app.module.ts')),
);

/** Whether V8, run as the launcher runs a service, takes `bundle`'s code cache. */
function cacheTaken(bundle: string): boolean {
  const { NODE_OPTIONS: _options, ...env } = process.env;
  const check = join(root, 'tools', 'bundle', 'make-code-cache.js');
  const answer = spawnSync(process.execPath, [check, '--check', bundle], { encoding: 'utf8', env });
  return answer.stdout.trim() === 'taken';
}

describe('the compiled services', () => {
  it('are the seven services', () => {
    expect(services.sort()).toEqual(
      ['auth', 'blob', 'gateway', 'manifest', 'replication', 'scan', 'webhook'].sort(),
    );
  });

  describe.each(services)('%s', (service) => {
    const entry = join(root, serviceEntryPoint(service));
    const bundle = join(dirname(entry), 'service.js');
    const code = readFileSync(bundle, 'utf8');

    it('starts through the loader, which runs the bundle beside it', () => {
      expect(readFileSync(entry, 'utf8')).toBe(
        readFileSync(join(root, 'tools', 'bundle', 'main.js'), 'utf8'),
      );
    });

    it('is one file: it requires no module of dist/ and no library of Meridian', () => {
      expect(code).not.toMatch(/require\("\.{1,2}\//);
      expect(code).not.toMatch(/require\("@meridian\//);
    });

    it('is strict and ASCII only, so V8 holds its source in one byte a character', () => {
      expect(code.startsWith('"use strict";')).toBe(true);
      expect(code).not.toMatch(/[^\0-\x7f]/);
    });

    it('has no dynamic import, which a script compiled from a code cache cannot run', () => {
      expect(code).not.toMatch(/[^\w$.]import\(/);
    });

    it('has a code cache V8 takes', () => {
      expect(cacheTaken(bundle)).toBe(true);
    });

    it('has the source map that leads its stack traces back to the sources', () => {
      expect(code.trimEnd().endsWith('//# sourceMappingURL=service.js.map')).toBe(true);
      const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
      expect(map.sources).toContainEqual(expect.stringMatching(`apps/${service}/src/main.ts$`));
    });
  });
});
