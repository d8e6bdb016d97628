import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CredentialFile,
  credentialFiles,
  findCredential,
  refreshTokenUsername,
  removeCredential,
  storeCredential,
} from './credential-files';

const host = '127.0.0.1:5000';

describe('credential files', () => {
  let dir: string;
  let docker: CredentialFile;
  let containers: CredentialFile;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-cli-credentials-'));
    [containers, docker] = credentialFiles({ HOME: dir, XDG_RUNTIME_DIR: join(dir, 'run') }) as [
      CredentialFile,
      CredentialFile,
    ];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const read = async (file: CredentialFile) =>
    JSON.parse(await readFile(file.path, 'utf8')) as {
      auths: Record<string, { auth?: string; identitytoken?: string }>;
      [key: string]: unknown;
    };

  it("are docker's config.json and the containers auth.json, as the tools look for them", () => {
    expect(credentialFiles({ HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1' })).toEqual([
      { kind: 'containers', path: '/run/user/1/containers/auth.json' },
      { kind: 'docker', path: '/home/u/.docker/config.json' },
    ]);
    expect(
      credentialFiles({ HOME: '/home/u', REGISTRY_AUTH_FILE: '/a.json', DOCKER_CONFIG: '/d' }),
    ).toEqual([
      { kind: 'containers', path: '/a.json' },
      { kind: 'docker', path: '/d/config.json' },
    ]);
    expect(credentialFiles({ HOME: '/home/u' })).toEqual([
      { kind: 'docker', path: '/home/u/.docker/config.json' },
    ]);
  });

  it('file the refresh token as an identity token under the null user name, mode 0600', async () => {
    await storeCredential(containers, host, 'refresh-1');
    const written = await read(containers);
    expect(written.auths[host]).toEqual({
      auth: Buffer.from(`${refreshTokenUsername}:`).toString('base64'),
      identitytoken: 'refresh-1',
    });
    expect((await stat(containers.path)).mode & 0o777).toBe(0o600);
  });

  it("merge into a file: other registries' entries and other keys stay as they were", async () => {
    const other = { auth: Buffer.from('bob:secret').toString('base64') };
    await mkdir(join(dir, '.docker'), { recursive: true });
    await writeFile(
      docker.path,
      JSON.stringify({ auths: { 'docker.io': other }, credHelpers: { 'gcr.io': 'gcloud' } }),
    );
    await storeCredential(docker, host, 'refresh-1');
    await storeCredential(docker, host, 'refresh-2');
    const written = await read(docker);
    expect(written.credHelpers).toEqual({ 'gcr.io': 'gcloud' });
    expect(written.auths['docker.io']).toEqual(other);
    expect(written.auths[host]?.identitytoken).toBe('refresh-2');
    expect(await readdir(join(dir, '.docker'))).toEqual(['config.json']); // no temp file left
  });

  it('replace an entry filed under the URL form of the same host', async () => {
    await mkdir(join(dir, '.docker'), { recursive: true });
    await writeFile(
      docker.path,
      JSON.stringify({ auths: { [`https://${host}`]: { auth: 'eDp5' } } }),
    );
    await storeCredential(docker, host, 'refresh-1');
    expect(Object.keys((await read(docker)).auths)).toEqual([host]);
  });

  it('refuse a file that does not parse, leaving it untouched', async () => {
    await mkdir(join(dir, '.docker'), { recursive: true });
    await writeFile(docker.path, '{"auths": ');
    await expect(storeCredential(docker, host, 'refresh-1')).rejects.toThrow(/not valid JSON/);
    expect(await readFile(docker.path, 'utf8')).toBe('{"auths": ');
  });

  it('logout removes only our entry, and says when there was none', async () => {
    await storeCredential(containers, host, 'refresh-1');
    await storeCredential(containers, 'other:1', 'refresh-other');
    expect(await removeCredential(containers, host)).toBe(true);
    expect(Object.keys((await read(containers)).auths)).toEqual(['other:1']);
    expect(await removeCredential(containers, host)).toBe(false);
    expect(await removeCredential(docker, host)).toBe(false); // no file: none created
    await expect(stat(docker.path)).rejects.toThrow(/ENOENT/);
  });

  it('are searched containers file first, and read refresh tokens and passwords', async () => {
    expect(await findCredential([containers, docker], host)).toBeUndefined();
    await mkdir(join(dir, '.docker'), { recursive: true });
    await writeFile(
      docker.path,
      JSON.stringify({
        auths: { [host]: { auth: Buffer.from('admin:pw:with:colons').toString('base64') } },
      }),
    );
    expect(await findCredential([containers, docker], host)).toEqual({
      kind: 'password',
      username: 'admin',
      password: 'pw:with:colons',
    });
    await storeCredential(containers, host, 'refresh-1');
    expect(await findCredential([containers, docker], host)).toEqual({
      kind: 'refresh-token',
      refreshToken: 'refresh-1',
    });
  });

  it('read a refresh token given as the password of the null user name (as ACR files it)', async () => {
    await mkdir(join(dir, '.docker'), { recursive: true });
    const auth = Buffer.from(`${refreshTokenUsername}:refresh-9`).toString('base64');
    await writeFile(docker.path, JSON.stringify({ auths: { [host]: { auth } } }));
    expect(await findCredential([docker], host)).toEqual({
      kind: 'refresh-token',
      refreshToken: 'refresh-9',
    });
  });
});
