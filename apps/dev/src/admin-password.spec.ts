import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loginCommand, resolveAdminPassword } from './admin-password';

describe(resolveAdminPassword.name, () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'meridian-admin-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes MERIDIAN_ADMIN_PASSWORD and writes nothing', async () => {
    const resolved = await resolveAdminPassword(dataDir, {
      MERIDIAN_ADMIN_PASSWORD: 'from-env-pw',
    });
    expect(resolved).toMatchObject({ password: 'from-env-pw', source: 'environment' });
    await expect(stat(resolved.file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('generates a password once, readable by its owner only, and keeps it across starts', async () => {
    const first = await resolveAdminPassword(dataDir, {});
    expect(first.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect((await readFile(first.file, 'utf8')).trim()).toBe(first.password);
    expect((await resolveAdminPassword(dataDir, {})).password).toBe(first.password);
  });
});

describe(loginCommand.name, () => {
  it('names the gateway host and port', () => {
    expect(loginCommand('http://127.0.0.1:5000', 'pw')).toBe(
      'skopeo login --tls-verify=false -u admin -p pw 127.0.0.1:5000',
    );
  });
});
