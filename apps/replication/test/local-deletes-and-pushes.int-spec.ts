/**
 * What a region does on its own while its peer lags behind, between two real regions (see
 * two-regions.harness.ts):
 * - a delete is visible in its own region at once: the region never serves, through the
 *   lookups a pull makes when it misses, the copy the peer still holds;
 * - a manifest pushed to one region right after its blobs were pushed to the other
 *   (skopeo copying an image to us-east, then to eu-west: Azure/acr#588) is accepted the
 *   first time, with its blobs copied here before the push commits, so the image is never
 *   announced ready here without its bytes;
 * - an index pushed the same way, whose child manifests the client skipped (their HEAD was
 *   answered from us-east), is accepted with its children stored here first.
 */
import { randomBytes } from 'node:crypto';
import { blobRpc, isRegistryError, manifestRpc, replicationRpc } from '@meridian/contracts';
import { sha256Digest } from '@meridian/oci';
import { blobKey } from '@meridian/storage';
import { expectEventually } from '@meridian/testing';
import { type RegionUnderTest, TwoRegions } from './two-regions.harness';

jest.setTimeout(240_000);

async function readBlob(region: RegionUnderTest, digest: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await region.store.read(blobKey(digest))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The error a call ends with (a RegistryError's code and detail), or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (isRegistryError(error)) return { code: error.code, detail: error.detail };
    throw error;
  }
}

async function expectReadyInBoth(region: RegionUnderTest, repository: string, reference: string) {
  return expectEventually(
    async () => {
      const status = await region.client.request(replicationRpc.status, { repository, reference });
      expect(status.regions.map(({ state }) => state)).toEqual(['ready', 'ready']);
      return status;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

describe('what a region does on its own while its peer lags behind', () => {
  let regions: TwoRegions;

  beforeAll(async () => {
    regions = await TwoRegions.start('local_writes');
  });

  afterAll(async () => {
    await regions?.stop();
  });

  it('never serves from eu-west what us-east deleted, and takes it back from a newer push', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    const repository = 'team/deleted';
    const blobs = [
      await usEast.pushBlob(repository, Buffer.from('{"os":"linux","deleted":true}')),
      await usEast.pushBlob(repository, randomBytes(64 * 1024)),
    ];
    const pushed = await usEast.pushImage(repository, 'v1', blobs);
    const untagged = await usEast.pushImage(repository, 'v2', blobs.slice(0, 1));
    await expectReadyInBoth(usEast, repository, 'v1');
    await expectReadyInBoth(usEast, repository, 'v2');
    // eu-west stops applying us-east's events: it keeps all of it
    await euWest.kill('replication');

    const layer = blobs[1]!.digest;
    await usEast.client.request(manifestRpc.delete, { repository, reference: pushed.digest });
    await usEast.client.request(manifestRpc.delete, { repository, reference: 'v2' });
    await usEast.client.request(blobRpc.delete, { repository, digest: layer });

    // the misses say "deleted here", so the gateway asks no peer for them
    const get = (reference: string) =>
      usEast.client.request(manifestRpc.get, { repository, reference, includeBody: false });
    expect(await outcome(get(pushed.digest))).toEqual({
      code: 'MANIFEST_UNKNOWN',
      detail: { reference: pushed.digest, deleted: true },
    });
    expect(await outcome(get('v2'))).toEqual({
      code: 'MANIFEST_UNKNOWN',
      detail: { reference: 'v2', deleted: true },
    });
    expect(
      await outcome(usEast.client.request(blobRpc.stat, { repository, digest: layer })),
    ).toEqual({ code: 'BLOB_UNKNOWN', detail: { digest: layer, deleted: true } });
    // v1 went with its manifest (no tag tombstone): eu-west still has v1, but us-east's
    // lookup does not follow it to the manifest us-east deleted
    expect(await euWest.resolve(repository, 'v1')).toBe(pushed.digest);
    expect(await outcome(get('v1'))).toEqual({
      code: 'MANIFEST_UNKNOWN',
      detail: { reference: 'v1' },
    });
    expect(
      await outcome(
        usEast.client.request(replicationRpc.lookupManifest, {
          repository,
          reference: 'v1',
          includeBody: true,
        }),
      ),
    ).toEqual({ code: 'MANIFEST_UNKNOWN', detail: { reference: pushed.digest, deleted: true } });
    // a tag delete keeps the manifest
    expect(await usEast.resolve(repository, untagged.digest)).toBe(untagged.digest);

    await euWest.start('replication');
    await expectEventually(async () => {
      expect(await euWest.resolve(repository, pushed.digest)).toBe('MANIFEST_UNKNOWN');
      expect(await euWest.resolve(repository, 'v2')).toBe('MANIFEST_UNKNOWN');
    });

    // a newer push of the same image in eu-west brings it back to us-east, blobs too
    await euWest.pushImage(repository, 'v1', blobs);
    await expectEventually(async () => {
      expect(await usEast.resolve(repository, 'v1')).toBe(pushed.digest);
      expect(await usEast.resolve(repository, pushed.digest)).toBe(pushed.digest);
    });
    await expect(
      usEast.client.request(blobRpc.stat, { repository, digest: layer }),
    ).resolves.toEqual({ digest: layer, size: blobs[1]!.size });
  });

  it('accepts at once in eu-west a manifest whose blobs were just pushed to us-east', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    const repository = 'team/copied';
    // eu-west applies us-east's events one at a time, and is busy with a large blob pushed
    // just before: it has not replicated the image's blobs when the manifest arrives
    await euWest.kill('replication');
    euWest.env['MERIDIAN_REPLICATION_CONCURRENCY'] = '1';
    await usEast.pushBlob('team/before', randomBytes(96 * 1024 * 1024));
    const blobs = [
      await usEast.pushBlob(repository, Buffer.from('{"os":"linux","copied":true}')),
      await usEast.pushBlob(repository, randomBytes(1024 * 1024)),
    ];
    try {
      await euWest.start('replication');
      for (const blob of blobs)
        expect(await euWest.store.stat(blobKey(blob.digest))).toBeUndefined();

      const pushed = await euWest.pushImage(repository, 'v1', blobs);

      // accepted, with the bytes in eu-west's store before the push (and its readiness) commit
      for (const blob of blobs)
        expect((await readBlob(euWest, blob.digest)).equals(blob.bytes)).toBe(true);
      expect(await euWest.resolve(repository, 'v1')).toBe(pushed.digest);
      const status = await expectReadyInBoth(euWest, repository, 'v1');
      expect(status.digest).toBe(pushed.digest);
    } finally {
      delete euWest.env['MERIDIAN_REPLICATION_CONCURRENCY'];
    }
  });

  it('accepts at once in eu-west an index whose children were just pushed to us-east', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    const repository = 'team/multi';
    // as above: eu-west's replication is busy with a large blob and has not applied the
    // children when the index arrives (skopeo copy --all skipped them: their HEAD was 200)
    await euWest.kill('replication');
    euWest.env['MERIDIAN_REPLICATION_CONCURRENCY'] = '1';
    await usEast.pushBlob('team/before-index', randomBytes(96 * 1024 * 1024));
    const images = [];
    for (const arch of ['amd64', 'arm64']) {
      const blobs = [
        await usEast.pushBlob(repository, Buffer.from(`{"os":"linux","architecture":"${arch}"}`)),
        await usEast.pushBlob(repository, randomBytes(256 * 1024)),
      ];
      images.push({ blobs, manifest: await usEast.pushImage(repository, undefined, blobs) });
    }
    const children = images.map(({ manifest }) => manifest);
    try {
      await euWest.start('replication');
      for (const child of children)
        expect(await euWest.resolve(repository, child.digest)).toMatch(/^(MANIFEST|NAME)_UNKNOWN$/);

      const index = await euWest.pushIndex(repository, 'v1', children);

      // accepted, every child and blob stored in eu-west before the index committed
      expect(await euWest.resolve(repository, 'v1')).toBe(index.digest);
      for (const { blobs, manifest } of images) {
        const child = await euWest.client.request(manifestRpc.get, {
          repository,
          reference: manifest.digest,
          includeBody: false,
        });
        expect(child).toMatchObject({ digest: manifest.digest, size: manifest.size });
        for (const blob of blobs) {
          await expect(
            euWest.client.request(blobRpc.stat, { repository, digest: blob.digest }),
          ).resolves.toEqual({ digest: blob.digest, size: blob.size });
          expect((await readBlob(euWest, blob.digest)).equals(blob.bytes)).toBe(true);
        }
      }
      const status = await expectReadyInBoth(euWest, repository, 'v1');
      expect(status.digest).toBe(index.digest);
    } finally {
      delete euWest.env['MERIDIAN_REPLICATION_CONCURRENCY'];
    }
  });

  it('still refuses in eu-west a manifest whose blobs no region has', async () => {
    const euWest = regions.region('eu-west');
    const config = Buffer.from('{"os":"linux","nowhere":true}');
    const layer = randomBytes(1024);
    const missing = [config, layer].map((bytes) => ({
      digest: sha256Digest(bytes),
      size: bytes.length,
      bytes,
    }));
    expect(await outcome(euWest.pushImage('team/nowhere', 'v1', missing))).toMatchObject({
      code: 'MANIFEST_BLOB_UNKNOWN',
      detail: { missing: missing.map((blob) => blob.digest) },
    });
  });
});
