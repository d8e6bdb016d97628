/**
 * What Nx keys a service's build on (tools/build-target.js), asked of Nx itself. A service's
 * bundle holds the code of the libraries it imports: were their files not inputs of its
 * build, a change to a library would restore the service's old bundle from the cache, and
 * `npm start` would run code that is no longer in the sources.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/** The files Nx keys `target` on (`nx show target inputs <target> --json`). */
function inputFiles(target: string): string[] {
  const result = spawnSync('npx', ['nx', 'show', 'target', 'inputs', target, '--json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false' },
  });
  if (result.status !== 0) throw new Error(result.stderr || result.stdout);
  return (JSON.parse(result.stdout) as { files: string[] }).files;
}

describe("a service's build inputs", () => {
  it("include the files of the libraries it bundles, not another service's", () => {
    const files = inputFiles('blob:build');

    expect(files).toEqual(
      expect.arrayContaining([
        'apps/blob/src/main.ts',
        'libs/database/src/outbox-relay.ts',
        'libs/messaging/src/nats.ts',
        'libs/contracts/src/index.ts',
        'libs/storage/src/filesystem.driver.ts',
      ]),
    );
    expect(files).not.toContain('apps/manifest/src/main.ts');
    // tests are not built
    expect(files).not.toContain('libs/database/test/outbox.int-spec.ts');
  }, 120_000);
});
