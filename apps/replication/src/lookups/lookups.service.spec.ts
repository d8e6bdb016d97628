import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError } from '@meridian/contracts';
import { sha256Digest } from '@meridian/oci';
import { FilesystemStorageDriver, blobKey } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import { buildLayer } from '../../test/fakes/build-events';
import { FakeRegionServices } from '../../test/fakes/fake-region-services';
import { BlobCopier } from '../blobs/blob-copier';
import { CopyThroughput } from '../blobs/copy-throughput';
import { LookupsService } from './lookups.service';

const config = buildLayer('{"os":"linux"}');
const layer = buildLayer('the only layer of team/api:v1');
const imageBody = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...descriptor(config) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...descriptor(layer) }],
  }),
);
const image = {
  digest: sha256Digest(imageBody),
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: imageBody.length,
  body: imageBody.toString('base64'),
};

function descriptor(blob: { digest: string; size: number }) {
  return { digest: blob.digest, size: blob.size };
}

describe(LookupsService.name, () => {
  let dir: string;
  let stores: Record<string, FilesystemStorageDriver>;
  let services: FakeRegionServices;
  let sut: LookupsService;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-lookups-'));
    stores = {};
    for (const region of ['eu-west', 'us-east', 'ap-south']) {
      stores[region] = new FilesystemStorageDriver({ rootDirectory: join(dir, region) });
      await stores[region].init();
    }
    services = new FakeRegionServices();
    const copier = new BlobCopier(
      { own: stores['eu-west']!, peer: (region) => stores[region]! },
      new CopyThroughput(),
    );
    sut = new LookupsService(
      { region: 'eu-west', peers: ['us-east', 'ap-south'], failedAfterAttempts: 5 },
      services,
      copier,
      createLogger({ service: 'replication', region: 'eu-west', level: 'silent' }),
    );
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe('lookupManifest', () => {
    it("answers from the peer that has it and copies the image's blobs here at once", async () => {
      services.addManifest('ap-south', 'team/api', image, 'v1');
      for (const blob of [config, layer])
        await stores['ap-south']!.put(blobKey(blob.digest), blob.bytes);

      const found = await sut.lookupManifest({
        repository: 'team/api',
        reference: 'v1',
        includeBody: true,
      });
      expect(found).toEqual({ ...image, region: 'ap-south' });

      await sut.settled();
      for (const blob of [config, layer]) {
        expect(await stores['eu-west']!.stat(blobKey(blob.digest))).toEqual({ size: blob.size });
        expect(services.linked.has(`team/api@${blob.digest}`)).toBe(true);
      }
    });

    it('leaves the body out when asked to', async () => {
      services.addManifest('us-east', 'team/api', image, 'v1');
      const found = await sut.lookupManifest({
        repository: 'team/api',
        reference: image.digest,
        includeBody: false,
      });
      expect(found).toEqual({
        digest: image.digest,
        mediaType: image.mediaType,
        size: image.size,
        region: 'us-east',
      });
      await sut.settled();
    });

    it("passes on the peer's quarantine state, so the gateway blocks the pull as the peer would", async () => {
      services.addManifest('us-east', 'team/held', { ...image, quarantine: 'quarantined' }, 'v1');
      const found = await sut.lookupManifest({
        repository: 'team/held',
        reference: 'v1',
        includeBody: false,
      });
      expect(found.quarantine).toBe('quarantined');
      await sut.settled();
    });

    it("does not follow a peer's tag to a manifest this region deleted, nor copy its blobs", async () => {
      services.addManifest('us-east', 'team/api', image, 'v1');
      await stores['us-east']!.put(blobKey(layer.digest), layer.bytes);
      services.deleteIn('eu-west', 'team/api', image.digest);
      await expect(
        sut.lookupManifest({ repository: 'team/api', reference: 'v1', includeBody: true }),
      ).rejects.toMatchObject({
        code: 'MANIFEST_UNKNOWN',
        detail: { reference: image.digest, deleted: true },
      });
      await sut.settled();
      expect(services.linked.size).toBe(0);
      expect(await stores['eu-west']!.stat(blobKey(layer.digest))).toBeUndefined();
    });

    it('is MANIFEST_UNKNOWN when no reachable peer has it, NAME_UNKNOWN when none knows the name', async () => {
      services.addManifest('us-east', 'team/api', image, 'v1');
      const lookup = (repository: string, reference: string) =>
        sut.lookupManifest({ repository, reference, includeBody: true });
      await expect(lookup('team/api', 'v2')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
      await expect(lookup('team/none', 'v1')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    });
  });

  describe('locateBlob', () => {
    it('names the peer whose repository has the blob and whose store holds it, and copies it', async () => {
      services.addBlob('us-east', 'team/api', layer);
      services.addBlob('ap-south', 'team/api', layer);
      await stores['ap-south']!.put(blobKey(layer.digest), layer.bytes);

      await expect(
        sut.locateBlob({ repository: 'team/api', digest: layer.digest }),
      ).resolves.toEqual({
        region: 'ap-south',
        size: layer.size,
      });
      await sut.settled();
      expect(await stores['eu-west']!.stat(blobKey(layer.digest))).toEqual({ size: layer.size });
      expect([...services.linked]).toEqual([`team/api@${layer.digest}`]);
    });

    it('is BLOB_UNKNOWN when no peer has it', async () => {
      await expect(
        sut.locateBlob({ repository: 'team/api', digest: layer.digest }),
      ).rejects.toEqual(new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry'));
    });
  });

  describe('fetchBlobs', () => {
    it('copies and links what a peer holds before answering; leaves what was deleted here', async () => {
      const deleted = buildLayer('a layer team/api deleted in eu-west');
      for (const blob of [config, layer, deleted]) {
        services.addBlob('us-east', 'team/api', blob);
        await stores['us-east']!.put(blobKey(blob.digest), blob.bytes);
      }
      services.deleteIn('eu-west', 'team/api', deleted.digest);
      const unknown = buildLayer('no region has this one');

      const { fetched } = await sut.fetchBlobs({
        repository: 'team/api',
        digests: [config.digest, layer.digest, deleted.digest, unknown.digest, layer.digest],
      });

      expect(fetched.sort()).toEqual([config.digest, layer.digest].sort());
      // present and linked when the answer comes, not later
      for (const blob of [config, layer]) {
        expect(await stores['eu-west']!.stat(blobKey(blob.digest))).toEqual({ size: blob.size });
        expect(services.linked.has(`team/api@${blob.digest}`)).toBe(true);
      }
      expect(await stores['eu-west']!.stat(blobKey(deleted.digest))).toBeUndefined();
      expect(services.linked.has(`team/api@${deleted.digest}`)).toBe(false);
    });

    it('counts a blob the repository already sees here as fetched, without a copy', async () => {
      services.addBlob('eu-west', 'team/api', layer);
      await expect(
        sut.fetchBlobs({ repository: 'team/api', digests: [layer.digest] }),
      ).resolves.toEqual({ fetched: [layer.digest] });
      expect(services.linked.size).toBe(0);
    });
  });

  describe('fetchManifests', () => {
    it('stores by digest what a peer holds, its blobs copied first; leaves what was deleted here', async () => {
      services.addManifest('us-east', 'team/api', image);
      for (const blob of [config, layer]) {
        services.addBlob('us-east', 'team/api', blob);
        await stores['us-east']!.put(blobKey(blob.digest), blob.bytes);
      }
      const deleted = { ...image, digest: sha256Digest(Buffer.from('deleted in eu-west')) };
      services.addManifest('us-east', 'team/api', deleted);
      services.deleteIn('eu-west', 'team/api', deleted.digest);
      const unknown = sha256Digest(Buffer.from('no region has this one'));

      const { fetched } = await sut.fetchManifests({
        repository: 'team/api',
        digests: [image.digest, deleted.digest, unknown, image.digest],
      });

      expect(fetched).toEqual([image.digest]);
      expect(services.put).toEqual([
        {
          repository: 'team/api',
          digest: image.digest,
          mediaType: image.mediaType,
          body: image.body,
        },
      ]);
      // the blobs were in place before the manifest was stored
      for (const blob of [config, layer]) {
        expect(await stores['eu-west']!.stat(blobKey(blob.digest))).toEqual({ size: blob.size });
        expect(services.linked.has(`team/api@${blob.digest}`)).toBe(true);
      }
    });

    it('counts a manifest this region already has as fetched, without storing it again', async () => {
      services.addManifest('eu-west', 'team/api', image);
      services.addManifest('us-east', 'team/api', image);
      await expect(
        sut.fetchManifests({ repository: 'team/api', digests: [image.digest] }),
      ).resolves.toEqual({ fetched: [image.digest] });
      expect(services.put).toEqual([]);
    });
  });
});
