/**
 * Authentication and authorization end to end, as users meet them: `skopeo login` and
 * `podman login` against the whole system, a service principal with AcrPull, a
 * repository-scoped token for `team-a/*`, anonymous pull, disabled and expired tokens, and
 * a signing key rotated under live tokens. Identities are made through the management API.
 * CNCF distribution has no authentication to compare against: there the file is skipped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTypes } from '@meridian/oci';
import { type OciLayoutImage, buildOciImage, expectEventually } from '@meridian/testing';
import { ContainerStorage } from './support/container-storage';
import { ManagementApi } from './support/management-api';
import { type RegistryUnderTest, registryKind, startRegistry } from './support/registry-under-test';
import { Skopeo } from './support/skopeo';

const refused = /unauthorized|authentication required|invalid username\/password|denied|401|403/i;

if (registryKind() === 'distribution') {
  describe('authentication', () => {
    it.skip("is Meridian's (skipped: the reference registry runs without authentication)", () =>
      undefined);
  });
} else {
  describe('authentication', () => {
    let registry: RegistryUnderTest;
    let skopeo: Skopeo;
    let api: ManagementApi;
    let work: string;
    let image: OciLayoutImage;

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'meridian-e2e-auth-'));
      image = await buildOciImage(join(work, 'source'), {
        tag: 'v1',
        layers: [{ files: { 'etc/app/config.json': '{"greeting":"hello"}\n' } }],
      });
      registry = await startRegistry('auth');
      skopeo = new Skopeo(registry);
      api = new ManagementApi(registry);
      await skopeo.copy(image.reference, skopeo.docker('shared/app:v1'));
    }, 300_000);

    afterAll(async () => {
      await registry?.dispose();
      if (work) await rm(work, { recursive: true, force: true });
    });

    /** `user:password` for skopeo's --creds flags */
    const creds = (username: string, password: string) => `${username}:${password}`;

    it('logs in with skopeo and podman, then pushes and pulls', async () => {
      const authFile = join(work, 'login-auth.json');
      const { username, password } = registry.credentials;
      await skopeo.run([
        'login',
        '--tls-verify=false',
        '--authfile',
        authFile,
        '--username',
        username,
        '--password',
        password,
        registry.host,
      ]);
      await skopeo.run([
        'copy',
        '--dest-tls-verify=false',
        '--dest-authfile',
        authFile,
        image.reference,
        skopeo.docker('login/app:v1'),
      ]);

      const containers = await ContainerStorage.create(registry);
      try {
        const podmanAuth = join(work, 'podman-auth.json');
        await containers.podman([
          'login',
          '--tls-verify=false',
          '--authfile',
          podmanAuth,
          '--username',
          username,
          '--password',
          password,
          registry.host,
        ]);
        const reference = `${registry.host}/login/app:v1`;
        await containers.podman([
          'pull',
          '--quiet',
          '--tls-verify=false',
          '--authfile',
          podmanAuth,
          reference,
        ]);
        const tagged = `${registry.host}/login/copy:v1`;
        await containers.podman(['tag', reference, tagged]);
        await containers.podman(['push', '--tls-verify=false', '--authfile', podmanAuth, tagged]);
      } finally {
        await containers.dispose();
      }
      expect(await skopeo.listTags('login/copy')).toEqual(['v1']);
    });

    it('refuses a login with a wrong password', async () => {
      await expect(
        skopeo.run([
          'login',
          '--tls-verify=false',
          '--authfile',
          join(work, 'wrong-auth.json'),
          '--username',
          registry.credentials.username,
          '--password',
          'not-the-password',
          registry.host,
        ]),
      ).rejects.toThrow(refused);
    });

    it('lets a service principal with AcrPull pull, and not push', async () => {
      const principal = await api.call<{ secret: string }>('PUT', '/service-principals/puller', {
        roles: ['AcrPull'],
      });
      const puller = creds('puller', principal.secret);

      const inspected = await skopeo.inspect(skopeo.docker('shared/app:v1'), ['--creds', puller]);
      expect(inspected.Digest).toBe(image.manifestDigest);
      await expect(
        skopeo.copy(image.reference, skopeo.docker('shared/app:by-puller'), [
          '--dest-creds',
          puller,
        ]),
      ).rejects.toThrow(refused);
      expect(await skopeo.listTags('shared/app')).toEqual(['v1']);
    });

    describe('a repository-scoped token for team-a/*', () => {
      let teamA: string;

      beforeAll(async () => {
        await api.call('PUT', '/scope-maps/team-a-push', {
          rules: [{ repository: 'team-a/*', actions: ['content/read', 'content/write'] }],
        });
        await api.call('PUT', '/tokens/team-a-ci', { scopeMap: 'team-a-push' });
        const generated = await api.call<{ password: { value: string } }>(
          'POST',
          '/tokens/team-a-ci/passwords/1/generate',
          {},
        );
        teamA = creds('team-a-ci', generated.password.value);
      });

      it('pushes to team-a/x and is refused on team-b/x', async () => {
        await skopeo.copy(image.reference, skopeo.docker('team-a/x:v1'), ['--dest-creds', teamA]);
        const pulled = await skopeo.inspect(skopeo.docker('team-a/x:v1'), ['--creds', teamA]);
        expect(pulled.Digest).toBe(image.manifestDigest);

        await expect(
          skopeo.copy(image.reference, skopeo.docker('team-b/x:v1'), ['--dest-creds', teamA]),
        ).rejects.toThrow(refused);
        await expect(
          skopeo.inspect(skopeo.docker('shared/app:v1'), ['--creds', teamA]),
        ).rejects.toThrow(refused);
      });

      it('is refused once disabled, and again usable once enabled', async () => {
        await api.call('PATCH', '/tokens/team-a-ci', { status: 'disabled' });
        await expect(
          skopeo.inspect(skopeo.docker('team-a/x:v1'), ['--creds', teamA]),
        ).rejects.toThrow(refused);

        await api.call('PATCH', '/tokens/team-a-ci', { status: 'enabled' });
        await skopeo.inspect(skopeo.docker('team-a/x:v1'), ['--creds', teamA]);
      });

      it('refuses a password past its expiry', async () => {
        await skopeo.copy(image.reference, skopeo.docker('team-a/y:v1'), ['--dest-creds', teamA]);
        const expiresAt = new Date(Date.now() + 3_000).toISOString();
        const generated = await api.call<{ password: { value: string } }>(
          'POST',
          '/tokens/team-a-ci/passwords/2/generate',
          { expiresAt },
        );
        const shortLived = creds('team-a-ci', generated.password.value);
        await skopeo.inspect(skopeo.docker('team-a/y:v1'), ['--creds', shortLived]);

        await expectEventually(
          async () => {
            await expect(
              skopeo.inspect(skopeo.docker('team-a/y:v1'), ['--creds', shortLived]),
            ).rejects.toThrow(refused);
          },
          { timeoutMs: 30_000, intervalMs: 1_000 },
        );
      });
    });

    it('lets anonymous pulls through while anonymous pull is on, and nothing else', async () => {
      const anonymous = ['--no-creds'];
      await expect(skopeo.inspect(skopeo.docker('shared/app:v1'), anonymous)).rejects.toThrow(
        refused,
      );

      await api.call('PUT', '/settings', { anonymousPull: true });
      try {
        // the gateway reads the setting with its keys, a few seconds old at most
        await expectEventually(() => skopeo.inspect(skopeo.docker('shared/app:v1'), anonymous), {
          timeoutMs: 30_000,
          intervalMs: 1_000,
        });
        await expect(
          skopeo.copy(image.reference, skopeo.docker('shared/app:anonymous'), ['--dest-no-creds']),
        ).rejects.toThrow(refused);
      } finally {
        await api.call('PUT', '/settings', { anonymousPull: false });
      }

      await expectEventually(
        async () => {
          await expect(skopeo.inspect(skopeo.docker('shared/app:v1'), anonymous)).rejects.toThrow(
            refused,
          );
        },
        { timeoutMs: 30_000, intervalMs: 1_000 },
      );
    });

    it('keeps live tokens valid when the signing key rotates', async () => {
      const before = await adminToken(registry, 'repository:shared/app:pull');

      await api.call('POST', '/signing-keys/rotate');
      const after = await adminToken(registry, 'repository:shared/app:pull');

      expect(kidOf(after)).not.toBe(kidOf(before));
      for (const token of [before, after]) {
        const response = await fetch(`${registry.url}/v2/shared/app/manifests/v1`, {
          headers: { authorization: `Bearer ${token}`, accept: mediaTypes.ociManifest },
        });
        expect(response.status).toBe(200);
      }
    });
  });
}

/** A token from the realm, as docker login's clients fetch one. */
async function adminToken(registry: RegistryUnderTest, scope: string): Promise<string> {
  const { username, password } = registry.credentials;
  const query = new URLSearchParams({ service: 'meridian', scope });
  const response = await fetch(`${registry.url}/oauth2/token?${query}`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
  });
  if (response.status !== 200)
    throw new Error(`token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
  return header.kid as string;
}
