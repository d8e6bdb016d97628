/**
 * What Nx keys a service's build on (tools/build-target.js), asked of Nx itself. A service's
 * bundle holds the code of the libraries it imports: were their files not inputs of its
 * build, a change to a library would restore the service's old bundle from the cache, and
 * `npm start` would run code that is no longer in the sources.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/** The output of `nx show target inputs <target> --check <files>`. */
function checkInputs(target: string, files: string[]): string {
  const result = spawnSync('npx', ['nx', 'show', 'target', 'inputs', target, '--check', ...files], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false' },
  });
  if (result.status !== 0 && !result.stdout) throw new Error(result.stderr);
  return result.stdout;
}

describe("a service's build inputs", () => {
  it("include the files of the libraries it bundles, not another service's", () => {
    const libraries = [
      'libs/database/src/outbox-relay.ts',
      'libs/messaging/src/nats.ts',
      'libs/contracts/src/index.ts',
      'libs/storage/src/filesystem.driver.ts',
    ];

    const output = checkInputs('blob:build', [...libraries, 'apps/manifest/src/main.ts']);

    const [inputs, notInputs = ''] = output.split(/were not inputs/);
    for (const file of libraries) {
      expect(inputs).toContain(file);
      expect(notInputs).not.toContain(file);
    }
    expect(notInputs).toContain('apps/manifest/src/main.ts');
  }, 120_000);
});
