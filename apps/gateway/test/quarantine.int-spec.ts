/**
 * Quarantine through the gateway, with the real manifest service: the setting, pulls of a
 * quarantined image by tag and by digest for a plain puller and for a quarantine reader, and
 * ACR's PATCH by a quarantine writer (and refused to anyone else).
 */
import { errorCode, expectStatus, pushImage } from './oci-requests';
import type { Identity } from '@meridian/contracts';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

const repo = 'team/quarantine';

describe('quarantine at the gateway', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry();
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  const bearer = (sub: string, roles: string[], kind: Identity['kind'] = 'service-principal') =>
    registry.auth.bearer({
      sub,
      roles,
      kind,
      access: [{ type: 'repository', name: repo, actions: ['pull'] }],
    });

  const pull = async (reference: string, roles: string[], method = 'GET') =>
    fetch(`${registry.url}/v2/${repo}/manifests/${reference}`, {
      method,
      headers: await bearer('puller', roles),
    });

  const decide = async (digest: string, roles: string[], body: unknown) =>
    fetch(`${registry.url}/acr/v1/${repo}/_manifests/${digest}`, {
      method: 'PATCH',
      headers: { ...(await bearer('scanner', roles)), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('blocks a push made while quarantine is on until a quarantine writer passes it', async () => {
    const owner = await bearer('admin', [], 'admin');
    await expectStatus(
      await fetch(`${registry.url}/api/v1/settings/quarantine`, {
        method: 'PUT',
        headers: { ...owner, 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: true }),
      }),
      200,
    );
    const setting = await fetch(`${registry.url}/api/v1/settings/quarantine`, { headers: owner });
    expect(await setting.json()).toEqual({ enabled: true });
    const { manifest } = await pushImage(registry, repo, 'v1');

    const byTag = await pull('v1', ['AcrPull']);
    expect(byTag.status).toBe(404);
    expect(await errorCode(byTag)).toBe('MANIFEST_UNKNOWN');
    const byDigest = await pull(manifest.digest, ['AcrPull']);
    expect(byDigest.status).toBe(403);
    expect(await errorCode(byDigest)).toBe('DENIED');
    expect((await pull(manifest.digest, ['AcrPull'], 'HEAD')).status).toBe(403);
    await expectStatus(await pull('v1', ['AcrPull', 'AcrQuarantineReader']), 200);

    const refused = await decide(manifest.digest, ['AcrPush'], { quarantineState: 'Passed' });
    expect(refused.status).toBe(403);
    const invalid = await decide(manifest.digest, ['AcrQuarantineWriter'], {
      quarantineState: 'Maybe',
    });
    expect(invalid.status).toBe(400);
    const passed = await decide(manifest.digest, ['AcrQuarantineWriter'], {
      quarantineState: 'Passed',
      quarantineDetails: 'external scanner: clean',
    });
    await expectStatus(passed, 200);

    const served = await expectStatus(await pull('v1', ['AcrPull']), 200);
    expect(Buffer.from(await served.arrayBuffer())).toEqual(manifest.body);
  });

  it('keeps a failed image blocked, even once its body is cached, and hides nothing else', async () => {
    const { manifest } = await pushImage(registry, repo, 'v2');
    // the reader's pull puts the body in the gateway's cache
    await expectStatus(await pull(manifest.digest, ['AcrQuarantineReader']), 200);

    await expectStatus(
      await decide(manifest.digest, ['AcrQuarantineWriter'], { quarantineState: 'Failed' }),
      200,
    );

    expect((await pull(manifest.digest, ['AcrPull'])).status).toBe(403);
    expect((await pull('v2', ['AcrPull'])).status).toBe(404);
    await expectStatus(
      await fetch(`${registry.url}/api/v1/settings/quarantine`, {
        method: 'PUT',
        headers: { ...(await bearer('admin', [], 'admin')), 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false }),
      }),
      200,
    );
    const { manifest: later } = await pushImage(registry, repo, 'v3');
    await expectStatus(await pull(later.digest, ['AcrPull']), 200);
  });

  it('routes a scan report request by repository and digest, refusing a path without a digest', async () => {
    const headers = await bearer('puller', ['AcrPull']);
    const noDigest = await fetch(`${registry.url}/api/v1/scans/${repo}/latest`, { headers });
    expect(noDigest.status).toBe(400);
    expect(await errorCode(noDigest)).toBe('DIGEST_INVALID');
    const anonymous = await fetch(`${registry.url}/api/v1/scans/${repo}/sha256:${'e'.repeat(64)}`);
    expect(anonymous.status).toBe(401);
    // this region runs no scan service: the request reached the scan RPC and had no answer
    const { manifest } = await pushImage(registry, repo, 'unscanned');
    const unanswered = await fetch(`${registry.url}/api/v1/scans/${repo}/${manifest.digest}`, {
      headers,
    });
    expect(unanswered.status).toBe(503);
  });
});
