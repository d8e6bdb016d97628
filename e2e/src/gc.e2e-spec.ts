/**
 * Garbage collection on the embedded default (us-east and eu-west), one Meridian for the
 * file, with no grace period and no background schedule (MERIDIAN_GC_GRACE_HOURS=0,
 * MERIDIAN_GC_INTERVAL_MINUTES=0), so only the collections the tests start run.
 *
 * - An image skopeo pushed to us-east and deleted there: `meridian gc --wait` in each region
 *   frees its layer from that region's store (the files themselves are looked at), and an
 *   image still tagged keeps its layer in both.
 * - The race Quay and Harbor lost: for a bounded time, clients push images that share
 *   layers, delete and push them again and mount layers across repositories, in both
 *   regions, while collections run back to back in both regions. Afterwards every image
 *   that was acknowledged and not deleted pulls whole from both regions, every digest
 *   checked. A push may be refused (a layer it did not upload again was collected before
 *   its manifest came: MANIFEST_BLOB_UNKNOWN, as distribution answers); an acknowledged one
 *   is never broken.
 */
import { createHash, randomBytes } from 'node:crypto';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTypes } from '@meridian/oci';
import { buildOciImage, expectEventually, runCommand } from '@meridian/testing';
import {
  type GeoMeridian,
  type GeoRegionId,
  geoRegions,
  startGeoMeridian,
} from './support/geo-meridian';
import { MeridianCli, buildCli } from './support/meridian-cli';

const raceMs = 25_000;

interface GcJob {
  id: string;
  status: string;
  dryRun: boolean;
  progress: { blobsFreed: number; bytesFreed: number; blobsBusy: number };
}

describe('garbage collection in two regions', () => {
  let meridian: GeoMeridian;
  let work: string;
  let cli: MeridianCli;
  let password: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-gc-'));
    buildCli();
    cli = new MeridianCli(join(work, 'home'));
    await cli.prepare();
    const saved = { ...process.env };
    process.env['MERIDIAN_GC_GRACE_HOURS'] = '0';
    process.env['MERIDIAN_GC_INTERVAL_MINUTES'] = '0';
    try {
      meridian = await startGeoMeridian('gc');
    } finally {
      process.env = saved;
    }
    password = meridian.creds.slice('admin:'.length);
  }, 360_000);

  afterAll(async () => {
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  function host(region: GeoRegionId): string {
    return meridian.regions[region].host;
  }

  /** `meridian gc --wait` against the region, as an operator runs it. */
  async function collect(region: GeoRegionId): Promise<GcJob> {
    return cli.json<GcJob>(['gc', '--wait', '--interval', '200ms', '--registry', host(region)], {
      MERIDIAN_USERNAME: 'admin',
      MERIDIAN_PASSWORD: password,
    });
  }

  function blobFile(region: GeoRegionId, digest: string): string {
    const [algorithm, hex] = digest.split(':') as [string, string];
    return join(meridian.dataDir, region, 'store', 'blobs', algorithm, hex.slice(0, 2), hex);
  }

  async function stored(region: GeoRegionId, digest: string): Promise<boolean> {
    return access(blobFile(region, digest)).then(
      () => true,
      () => false,
    );
  }

  async function skopeoInspect(region: GeoRegionId, reference: string): Promise<boolean> {
    return runCommand('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--creds',
      meridian.creds,
      '--raw',
      `docker://${host(region)}/${reference}`,
    ]).then(
      () => true,
      () => false,
    );
  }

  it('frees a deleted image’s layer from each region’s store and keeps a tagged one', async () => {
    const images = await Promise.all(
      ['gone', 'kept'].map((name) =>
        buildOciImage(join(work, name), {
          tag: 'latest',
          layers: [{ files: { 'data/file': `${name} ${randomBytes(8).toString('hex')}\n` } }],
        }),
      ),
    );
    for (const [index, name] of ['gone', 'kept'].entries()) {
      await runCommand('skopeo', [
        '--insecure-policy',
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        meridian.creds,
        images[index]!.reference,
        `docker://${host('us-east')}/gc/${name}:v1`,
      ]);
    }
    const [gone, kept] = images.map((image) => image.layerDigests[0]!) as [string, string];
    await expectEventually(
      async () => {
        for (const region of geoRegions) {
          expect(await stored(region, gone)).toBe(true);
          expect(await stored(region, kept)).toBe(true);
        }
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const digest = images[0]!.manifestDigest;
    await meridian.regions['us-east'].client.expect(
      'DELETE',
      `/v2/gc/gone/manifests/${digest}`,
      [202],
    );
    await expectEventually(
      async () => expect(await skopeoInspect('eu-west', `gc/gone@${digest}`)).toBe(false),
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    for (const region of geoRegions) {
      const job = await collect(region);
      expect(job.status).toBe('succeeded');
      expect(job.progress.blobsFreed).toBeGreaterThanOrEqual(1);
      expect(await stored(region, gone)).toBe(false);
      expect(await stored(region, kept)).toBe(true);
      expect(await skopeoInspect(region, 'gc/kept:v1')).toBe(true);
    }
  }, 240_000);

  it('never breaks an acknowledged image while collections race pushes, deletes and mounts', async () => {
    const shared = [randomBytes(4096), randomBytes(8192)];
    const acknowledged = new Map<string, PushedImage>();
    const deleted = new Set<string>();
    const refused: string[] = [];
    const deadline = Date.now() + raceMs;
    let collections = 0;

    const collector = async (region: GeoRegionId) => {
      while (Date.now() < deadline) {
        const job = await startCollection(region);
        collections += 1;
        await expectEventually(
          async () => expect((await jobOf(region, job.id)).status).not.toBe('running'),
          { timeoutMs: 60_000, intervalMs: 50 },
        );
      }
    };
    const pusher = async (worker: number) => {
      const region: GeoRegionId = geoRegions[worker % geoRegions.length]!;
      const client = meridian.regions[region].client;
      for (let round = 0; Date.now() < deadline; round += 1) {
        const repository = `gc/race-${worker}`;
        const tag = `r${round % 3}`;
        const key = `${region} ${repository}:${tag} #${round}`;
        try {
          const image = await pushImage(client, repository, tag, shared, worker, round);
          acknowledged.set(key, image);
          if (round % 3 === 2) {
            // delete it, then push the same image again (its blobs likely collected by now)
            await client.expect('DELETE', `/v2/${repository}/manifests/${image.digest}`, [202]);
            deleted.add(key);
            const again = await pushImage(client, repository, tag, shared, worker, round);
            acknowledged.set(`${key} again`, again);
          }
          // mount a shared layer into a repository of its own and reference it there
          const mounted = `gc/mounted-${worker}`;
          await client.expect(
            'POST',
            `/v2/${mounted}/blobs/uploads/?mount=${digestOf(shared[0]!)}&from=${repository}`,
            [201, 202],
          );
          const image2 = await pushImage(client, mounted, `m${round}`, [shared[0]!], worker, round);
          acknowledged.set(`${region} ${mounted}:m${round}`, image2);
        } catch (error) {
          if (!String(error).includes('MANIFEST_BLOB_UNKNOWN')) throw error;
          refused.push(key);
        }
      }
    };
    await Promise.all([
      ...geoRegions.map((region) => collector(region)),
      ...[0, 1, 2, 3].map((worker) => pusher(worker)),
    ]);
    expect(collections).toBeGreaterThan(4);
    const live = [...acknowledged].filter(([key]) => !deleted.has(key));
    expect(live.length).toBeGreaterThan(10);

    // replication settles, one more collection in each region, then every live image pulls
    // whole from both regions
    for (const region of geoRegions) await collect(region);
    for (const region of geoRegions) {
      await expectEventually(
        async () => {
          for (const [, image] of live) await verifyPull(region, image);
        },
        { timeoutMs: 120_000, intervalMs: 1_000 },
      );
    }
    // and still after both regions collected again
    for (const region of geoRegions) await collect(region);
    for (const region of geoRegions) for (const [, image] of live) await verifyPull(region, image);
  }, 360_000);

  interface PushedImage {
    repository: string;
    digest: string;
    blobs: Buffer[];
  }

  async function pushImage(
    client: GeoMeridian['regions'][GeoRegionId]['client'],
    repository: string,
    tag: string,
    shared: Buffer[],
    worker: number,
    round: number,
  ): Promise<PushedImage> {
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', worker, round }),
    );
    const own = randomBytes(2048 + round);
    const layers = [...shared, own];
    for (const blob of [config, ...layers]) {
      await client.pushBlob(repository, blob, 'application/octet-stream');
    }
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaTypes.ociManifest,
        config: { mediaType: mediaTypes.ociConfig, digest: digestOf(config), size: config.length },
        layers: layers.map((layer) => ({
          mediaType: mediaTypes.ociLayerTar,
          digest: digestOf(layer),
          size: layer.length,
        })),
      }),
    );
    await client.putManifest(repository, tag, manifest, mediaTypes.ociManifest);
    return { repository, digest: digestOf(manifest), blobs: [config, ...layers] };
  }

  async function verifyPull(region: GeoRegionId, image: PushedImage): Promise<void> {
    const client = meridian.regions[region].client;
    const manifest = await client.getManifest(image.repository, image.digest, [
      mediaTypes.ociManifest,
    ]);
    expect(manifest.digest).toBe(image.digest);
    for (const blob of image.blobs) {
      const response = await client.expect(
        'GET',
        `/v2/${image.repository}/blobs/${digestOf(blob)}`,
        [200],
      );
      expect(digestOf(Buffer.from(await response.arrayBuffer()))).toBe(digestOf(blob));
    }
  }

  async function startCollection(region: GeoRegionId): Promise<{ id: string }> {
    const response = await fetch(`http://${host(region)}/api/v1/gc`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(meridian.creds).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(response.status).toBe(202);
    return (await response.json()) as { id: string };
  }

  async function jobOf(region: GeoRegionId, id: string): Promise<GcJob> {
    const { status, body } = await meridian.api<GcJob>(region, `/api/v1/gc/${id}`);
    expect(status).toBe(200);
    return body;
  }
});

function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
