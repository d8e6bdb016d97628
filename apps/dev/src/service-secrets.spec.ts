import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveServiceSecrets, serviceSecretFiles } from './service-secrets';

describe(resolveServiceSecrets.name, () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'meridian-secrets-'));
  });

  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('generates each key once, readable by its owner only, and keeps it across starts', async () => {
    const first = await resolveServiceSecrets(dataDir, {});
    expect(first.MERIDIAN_SIGNING_KEY_SECRET.length).toBeGreaterThanOrEqual(16);
    expect(first.MERIDIAN_WEBHOOK_SECRET_KEY).not.toBe(first.MERIDIAN_SIGNING_KEY_SECRET);
    for (const name of Object.values(serviceSecretFiles)) {
      expect((await stat(join(dataDir, name))).mode & 0o777).toBe(0o600);
    }
    expect(await resolveServiceSecrets(dataDir, {})).toEqual(first);
    expect((await readFile(join(dataDir, 'signing-key-secret'), 'utf8')).trim()).toBe(
      first.MERIDIAN_SIGNING_KEY_SECRET,
    );
  });

  it("takes the environment's value and writes nothing for it", async () => {
    const resolved = await resolveServiceSecrets(dataDir, {
      MERIDIAN_SIGNING_KEY_SECRET: 'the operator secret of enough length',
    });
    expect(resolved.MERIDIAN_SIGNING_KEY_SECRET).toBe('the operator secret of enough length');
    await expect(stat(join(dataDir, 'signing-key-secret'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
