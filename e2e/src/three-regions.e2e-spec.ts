/**
 * `npm start` with three regions (MERIDIAN_REGIONS=us-east,eu-west,ap-south): an image
 * pushed with skopeo to us-east (the leaf node hub) or to eu-west (a region linked to it)
 * is pulled from ap-south (linked to the hub too) with the same digest, its blobs in
 * ap-south's own store. With MERIDIAN_REPLICATIONS=us-east,eu-west, ap-south runs
 * stand-alone: served, NATS-linked, but with no peers and no one's peer, so a push to
 * us-east reaches eu-west and never ap-south.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '@meridian/oci';
import {
  type OciLayoutImage,
  RegistryRequestError,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, startGeoMeridian } from './support/geo-meridian';

const threeRegions = ['us-east', 'eu-west', 'ap-south'] as const;
type ThreeRegionId = (typeof threeRegions)[number];

interface RegionsStatus {
  region: string;
  peers: Array<{ region: string; connected: boolean }>;
}

const replicationTimeoutMs = 90_000;

describe('three regions', () => {
  let work: string;
  let built = 0;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-three-'));
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** An image whose content no other image of this file shares. */
  function buildImage(name: string): Promise<OciLayoutImage> {
    built += 1;
    return buildOciImage(join(work, `${name}-${built}`), {
      tag: 'v1',
      layers: [0, 1].map((index) => ({
        files: { [`layer-${index}/data`]: `${name} ${built} layer ${index}\n`.repeat(4096) },
      })),
    });
  }

  function skopeoOn(meridian: GeoMeridian<ThreeRegionId>) {
    return (args: readonly string[]) =>
      runCommand('skopeo', ['--insecure-policy', ...args]).catch((error: Error) => {
        throw new Error(`${error.message}\n${meridian.describeOutput()}`);
      });
  }

  async function push(
    meridian: GeoMeridian<ThreeRegionId>,
    image: OciLayoutImage,
    region: ThreeRegionId,
    reference: string,
  ): Promise<void> {
    await skopeoOn(meridian)([
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions[region].host}/${reference}`,
    ]);
  }

  /** Waits until `region` serves the manifest, and returns its digest as served. */
  async function servedDigest(
    meridian: GeoMeridian<ThreeRegionId>,
    region: ThreeRegionId,
    repository: string,
  ): Promise<string> {
    return expectEventually(
      async () => {
        const manifest = await meridian.regions[region].client.getManifest(repository, 'v1', [
          'application/vnd.oci.image.manifest.v1+json',
        ]);
        return manifest.digest;
      },
      { timeoutMs: replicationTimeoutMs, intervalMs: 250 },
    );
  }

  describe('every region replicating', () => {
    let meridian: GeoMeridian<ThreeRegionId>;

    beforeAll(async () => {
      meridian = await startGeoMeridian('three-regions', undefined, { regions: threeRegions });
    }, 360_000);

    afterAll(async () => {
      await meridian?.dispose();
    });

    it.each([
      ['us-east', 'the hub'],
      ['eu-west', 'a linked region'],
    ] as const)(
      'pulls an image pushed to %s (%s) from ap-south with the same digest',
      async (origin, _role) => {
        const image = await buildImage(`from-${origin}`);
        await push(meridian, image, origin, `three/${origin}:v1`);

        expect(await servedDigest(meridian, 'ap-south', `three/${origin}`)).toBe(
          image.manifestDigest,
        );
        const pulled = await mkdtemp(join(work, 'pulled-'));
        await skopeoOn(meridian)([
          'copy',
          '--src-tls-verify=false',
          '--src-creds',
          meridian.creds,
          `docker://${meridian.regions['ap-south'].host}/three/${origin}@${image.manifestDigest}`,
          `oci:${pulled}:pulled`,
        ]);
        // ap-south holds the layers itself, in its own store
        await expectEventually(async () => {
          for (const digest of image.layerDigests) {
            const hex = digest.slice('sha256:'.length);
            await access(
              join(meridian.regions['ap-south'].storeDir, 'blobs', 'sha256', hex.slice(0, 2), hex),
            );
          }
        });
        expect(await servedDigest(meridian, 'eu-west', `three/${origin}`)).toBe(
          image.manifestDigest,
        );
      },
    );

    it('lists both other regions as connected peers of ap-south', async () => {
      const { status, body } = await meridian.api<RegionsStatus>(
        'ap-south',
        '/api/v1/replication/regions',
      );
      expect(status).toBe(200);
      expect(body.peers.map((peer) => [peer.region, peer.connected]).sort()).toEqual([
        ['eu-west', true],
        ['us-east', true],
      ]);
      expect(meridian.regions['ap-south'].natsDomain).toBe('ap-south');
    });
  });

  describe('ap-south outside MERIDIAN_REPLICATIONS', () => {
    let meridian: GeoMeridian<ThreeRegionId>;

    beforeAll(async () => {
      meridian = await startGeoMeridian('three-regions-stand-alone', undefined, {
        regions: threeRegions,
        replications: ['us-east', 'eu-west'],
      });
    }, 360_000);

    afterAll(async () => {
      await meridian?.dispose();
    });

    it('replicates a push to us-east into eu-west but not into the stand-alone ap-south', async () => {
      const image = await buildImage('stand-alone');
      await push(meridian, image, 'us-east', 'alone/app:v1');
      expect(await servedDigest(meridian, 'eu-west', 'alone/app')).toBe(image.manifestDigest);

      const miss = await meridian.regions['ap-south'].client
        .getManifest('alone/app', 'v1', ['application/vnd.oci.image.manifest.v1+json'])
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(miss).toBeInstanceOf(RegistryRequestError);
      expect((miss as RegistryRequestError).status).toBe(404);

      // ap-south serves what is pushed to it, on its own
      const own = await buildImage('own');
      await push(meridian, own, 'ap-south', 'own/app:v1');
      expect(sha256Digest(await rawManifest('ap-south', 'own/app:v1'))).toBe(own.manifestDigest);
    });

    it('gives ap-south no peers and no member ap-south as a peer', async () => {
      const peersOf = async (region: ThreeRegionId) => {
        const { status, body } = await meridian.api<RegionsStatus>(
          region,
          '/api/v1/replication/regions',
        );
        expect(status).toBe(200);
        return body.peers.map((peer) => peer.region);
      };
      expect(await peersOf('ap-south')).toEqual([]);
      expect(await peersOf('us-east')).toEqual(['eu-west']);
      expect(await peersOf('eu-west')).toEqual(['us-east']);
    });

    /** The manifest as skopeo reads it. */
    async function rawManifest(region: ThreeRegionId, reference: string): Promise<Buffer> {
      const result = await skopeoOn(meridian)([
        'inspect',
        '--tls-verify=false',
        '--creds',
        meridian.creds,
        '--raw',
        `docker://${meridian.regions[region].host}/${reference}`,
      ]);
      return result.stdoutBytes;
    }
  });
});
