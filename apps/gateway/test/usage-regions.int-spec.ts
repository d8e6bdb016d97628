/**
 * `GET /api/v1/usage/regions` when a peer region does not answer: the gateway knows eu-west
 * (MERIDIAN_PEERS) but nothing answers eu-west's subjects on this NATS (its link is down),
 * so us-east's real blob and manifest services answer for us-east and eu-west is listed
 * unavailable with the reason, within the per-region timeout and with a 200, never a 5xx.
 * Both regions answering is the portal's browser test (e2e/src/portal.e2e-spec.ts).
 */
import { blobOf, expectStatus, imageManifest, pushBlob, putManifest } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';
import { regionUsageTimeoutMs } from '../src/usage/usage.controller';

type RegionUsage =
  | { region: string; available: true; bytes: number; repositories: Array<{ name: string }> }
  | { region: string; available: false; error: string };

describe('every region’s usage at the gateway, one region unreachable', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    // the gateway reads its peers from the environment as its module is built
    const peersBefore = process.env['MERIDIAN_PEERS'];
    process.env['MERIDIAN_PEERS'] = 'eu-west';
    try {
      registry = await startRegistry();
    } finally {
      if (peersBefore === undefined) delete process.env['MERIDIAN_PEERS'];
      else process.env['MERIDIAN_PEERS'] = peersBefore;
    }
  }, 180_000);

  afterAll(async () => {
    await registry?.stop();
  });

  it('answers registry readers only', async () => {
    expect((await fetch(`${registry.url}/api/v1/usage/regions`)).status).toBe(401);
    const denied = await fetch(`${registry.url}/api/v1/usage/regions`, {
      headers: await registry.auth.asRoles(['SomethingElse']),
    });
    expect(denied.status).toBe(403);
  });

  it('lists this region with its figures and the silent peer as unavailable, at once', async () => {
    const config = blobOf('{"architecture":"amd64","os":"linux","usage":"regions"}');
    const layer = blobOf('a layer of the usage-regions test');
    for (const blob of [config, layer]) await pushBlob(registry, 'team/regions', blob);
    await expectStatus(
      await putManifest(registry, 'team/regions', 'v1', imageManifest(config, [layer])),
      201,
    );

    const started = Date.now();
    const response = await fetch(`${registry.url}/api/v1/usage/regions`, {
      headers: await registry.auth.asRoles(['Reader']),
    });
    const elapsed = Date.now() - started;

    expect(response.status).toBe(200);
    const { regions } = (await response.json()) as { regions: RegionUsage[] };
    expect(regions.map((region) => [region.region, region.available])).toEqual([
      ['us-east', true],
      ['eu-west', false],
    ]);
    const [here, peer] = regions as [RegionUsage, RegionUsage];
    expect(here.available && here.bytes).toBe(config.size + layer.size);
    expect(here.available && here.repositories.map((row) => row.name)).toEqual(['team/regions']);
    expect(!peer.available && peer.error).toEqual(expect.any(String));
    expect(elapsed).toBeLessThan(regionUsageTimeoutMs + 2_000);
  });
});
