/**
 * What `npm start` and the image run of a service is one file: dist/apps/<service>/src/main.js,
 * bundled by tools/build.mjs (docs/benchmarks.md, "One file per service"). A start that
 * loaded the compiled modules one by one again would cost each service twice the CPU, and a
 * bundle V8 held as a two-byte string twice its memory; every other e2e test runs these
 * files, this one says what they must be.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceEntryPoint } from './support/compiled-meridian';

const root = join(__dirname, '..', '..');

/** the apps with a Nest root module: the services the launcher and the image run */
const services = readdirSync(join(root, 'apps')).filter((app) =>
  existsSync(join(root, 'apps', app, 'src', 'app.module.ts')),
);

describe('the compiled services', () => {
  it('are the seven services', () => {
    expect(services.sort()).toEqual(
      ['auth', 'blob', 'gateway', 'manifest', 'replication', 'scan', 'webhook'].sort(),
    );
  });

  describe.each(services)('%s', (service) => {
    const code = readFileSync(join(root, serviceEntryPoint(service)), 'utf8');

    it('is one file: it requires no module of dist/ and no library of Meridian', () => {
      expect(code).not.toMatch(/require\("\.{1,2}\//);
      expect(code).not.toMatch(/require\("@meridian\//);
    });

    it('is strict and ASCII only, so V8 holds its source in one byte a character', () => {
      expect(code.startsWith('"use strict";')).toBe(true);
      expect(code).not.toMatch(/[^\0-\x7f]/);
    });

    it('has the source map that leads its stack traces back to the sources', () => {
      expect(code.trimEnd().endsWith('//# sourceMappingURL=main.js.map')).toBe(true);
      const map = JSON.parse(
        readFileSync(join(root, `${serviceEntryPoint(service)}.map`), 'utf8'),
      ) as { sources: string[] };
      expect(map.sources).toContainEqual(expect.stringMatching(`apps/${service}/src/main.ts$`));
    });
  });
});
