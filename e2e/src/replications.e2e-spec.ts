/**
 * A region added to a running registry (ACR's `az acr replication create`): three regions
 * (MERIDIAN_REGIONS=us-east,eu-west,ap-south) where ap-south starts outside the registry
 * (MERIDIAN_REPLICATIONS=us-east,eu-west: NATS-linked, no peers, no one's peer). Fifty images
 * pushed with skopeo to us-east; then `meridian replication create ap-south --storage-path
 * <its store> --wait` against us-east returns once ap-south is `ready`, and every image is
 * pulled from ap-south with the digest pushed; eu-west lists ap-south too. Then `meridian
 * replication delete ap-south` shrinks the set in every region, ap-south standalone again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, startGeoMeridian } from './support/geo-meridian';
import { MeridianCli, buildCli } from './support/meridian-cli';

const threeRegions = ['us-east', 'eu-west', 'ap-south'] as const;
type RegionId = (typeof threeRegions)[number];

const imageCount = 50;
/** skopeo copies side by side */
const parallel = 5;

interface ReplicationView {
  region: string;
  status: string;
  statusReason?: string;
  local: boolean;
}

describe('replications at runtime', () => {
  let work: string;
  let meridian: GeoMeridian<RegionId>;
  let cli: MeridianCli;
  const images: OciLayoutImage[] = [];

  beforeAll(async () => {
    buildCli();
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-replications-'));
    cli = new MeridianCli(join(work, 'home'));
    await cli.prepare();
    meridian = await startGeoMeridian('replications', undefined, {
      regions: threeRegions,
      replications: ['us-east', 'eu-west'],
    });
  }, 420_000);

  afterAll(async () => {
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  function skopeo(args: readonly string[]) {
    return runCommand('skopeo', ['--insecure-policy', ...args]).catch((error: Error) => {
      throw new Error(`${error.message}\n${meridian.describeOutput()}`);
    });
  }

  function meridianCommand(region: RegionId, args: readonly string[]) {
    const [username, password] = meridian.creds.split(/:(.*)/s) as [string, string];
    return cli.run([...args, '--registry', meridian.regions[region].host], {
      env: { MERIDIAN_USERNAME: username, MERIDIAN_PASSWORD: password },
      timeoutMs: 200_000,
    });
  }

  async function replicationsOf(region: RegionId): Promise<ReplicationView[]> {
    const { status, body } = await meridian.api<{ replications: ReplicationView[] }>(
      region,
      '/api/v1/replications',
    );
    expect(status).toBe(200);
    return body.replications;
  }

  /** Runs `task` on every item, `parallel` at a time. */
  async function eachInTurn<T>(items: readonly T[], task: (item: T) => Promise<void>) {
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < items.length) await task(items[next++]!);
      }),
    );
  }

  it('pushes fifty images to us-east, none of them in the stand-alone ap-south', async () => {
    for (let index = 0; index < imageCount; index++)
      images.push(
        await buildOciImage(join(work, `image-${index}`), {
          tag: 'v1',
          layers: [{ files: { [`app/${index}`]: `image ${index} of the replications test\n` } }],
        }),
      );
    await eachInTurn(
      images.map((image, index) => [index, image] as const),
      async ([index, image]) => {
        await skopeo([
          'copy',
          '--dest-tls-verify=false',
          '--dest-creds',
          meridian.creds,
          image.reference,
          `docker://${meridian.regions['us-east'].host}/fleet/app-${index}:v1`,
        ]);
      },
    );
    expect((await replicationsOf('ap-south')).map((view) => view.region)).toEqual(['ap-south']);
    expect((await replicationsOf('us-east')).map((view) => view.region).sort()).toEqual([
      'eu-west',
      'us-east',
    ]);
  }, 180_000);

  it('adds ap-south at runtime: ready, every image pullable there with the digest pushed', async () => {
    const created = await meridianCommand('us-east', [
      'replication',
      'create',
      'ap-south',
      '--storage-path',
      meridian.regions['ap-south'].storeDir,
      '--wait',
      '--interval',
      '500ms',
      '--timeout',
      '150s',
      '--output',
      'json',
    ]);
    expect({ status: created.status, stderr: created.stderr }).toMatchObject({ status: 0 });
    expect(JSON.parse(created.stdout)).toMatchObject({ region: 'ap-south', status: 'ready' });

    // ready means backfilled: every image is there now, not eventually
    await eachInTurn(
      images.map((image, index) => [index, image] as const),
      async ([index, image]) => {
        const manifest = await meridian.regions['ap-south'].client.getManifest(
          `fleet/app-${index}`,
          'v1',
          ['application/vnd.oci.image.manifest.v1+json'],
        );
        expect(manifest.digest).toBe(image.manifestDigest);
        const pulled = join(work, `pulled-${index}`);
        await skopeo([
          'copy',
          '--src-tls-verify=false',
          '--src-creds',
          meridian.creds,
          `docker://${meridian.regions['ap-south'].host}/fleet/app-${index}@${image.manifestDigest}`,
          `oci:${pulled}:pulled`,
        ]);
      },
    );

    for (const region of threeRegions)
      await expectEventually(async () => {
        expect((await replicationsOf(region)).map((view) => view.region).sort()).toEqual([
          'ap-south',
          'eu-west',
          'us-east',
        ]);
      });
    const listed = await meridianCommand('eu-west', ['replication', 'list', '--output', 'json']);
    expect(listed.status).toBe(0);
    const { replications } = JSON.parse(listed.stdout) as { replications: ReplicationView[] };
    expect(replications).toContainEqual(
      expect.objectContaining({ region: 'eu-west', local: true, status: 'ready' }),
    );
    expect(replications.map((view) => view.region)).toContain('ap-south');
  }, 240_000);

  it('removes ap-south: every region’s set shrinks, and ap-south is standalone again', async () => {
    const refused = await meridianCommand('ap-south', ['replication', 'delete', 'ap-south']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/cannot remove the region you are calling/);

    const removed = await meridianCommand('us-east', ['replication', 'delete', 'ap-south']);
    expect({ status: removed.status, stderr: removed.stderr }).toMatchObject({ status: 0 });
    await expectEventually(async () => {
      expect((await replicationsOf('us-east')).map((view) => view.region).sort()).toEqual([
        'eu-west',
        'us-east',
      ]);
      expect((await replicationsOf('eu-west')).map((view) => view.region).sort()).toEqual([
        'eu-west',
        'us-east',
      ]);
      expect((await replicationsOf('ap-south')).map((view) => view.region)).toEqual(['ap-south']);
      const { body } = await meridian.api<{ peers: unknown[] }>(
        'ap-south',
        '/api/v1/replication/regions',
      );
      expect(body.peers).toEqual([]);
    });
    // its data stays
    const kept = await meridian.regions['ap-south'].client.getManifest('fleet/app-0', 'v1', [
      'application/vnd.oci.image.manifest.v1+json',
    ]);
    expect(kept.digest).toBe(images[0]!.manifestDigest);
  }, 120_000);
});
