/**
 * Blob copies between real S3 buckets (Ceph RGW) and a filesystem store: server side
 * between two buckets of one endpoint, streamed and verified otherwise, and a wrong byte
 * in the peer's store never reaching a bucket, not even on a multipart put.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest, sha512Digest } from '@meridian/oci';
import {
  FilesystemStorageDriver,
  S3StorageDriver,
  type StorageDriver,
  blobKey,
  DigestMismatchError,
} from '@meridian/storage';
import { type S3Server, startOrReuseCephRgw, uniqueBucketName } from '@meridian/testing';
import { BlobCopier } from '../src/blobs/blob-copier';
import { CopyThroughput } from '../src/blobs/copy-throughput';

jest.setTimeout(180_000);

const MiB = 1024 * 1024;
let rgw: S3Server;
let scratch: string;
const buckets: S3StorageDriver[] = [];

beforeAll(async () => {
  rgw = await startOrReuseCephRgw();
  scratch = await mkdtemp(join(tmpdir(), 'meridian-replication-s3-'));
});

afterAll(async () => {
  for (const bucket of buckets) bucket.destroy();
  await rm(scratch, { recursive: true, force: true });
  await rgw?.stop();
});

async function bucket(region: string): Promise<S3StorageDriver> {
  const driver = new S3StorageDriver({
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    bucket: uniqueBucketName(`replication-${region}`),
    redirect: false,
    partSize: 5 * MiB,
  });
  buckets.push(driver);
  await driver.init();
  return driver;
}

async function directory(region: string): Promise<FilesystemStorageDriver> {
  const driver = new FilesystemStorageDriver({ rootDirectory: join(scratch, region) });
  await driver.init();
  return driver;
}

async function readAll(driver: StorageDriver, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await driver.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function copier(own: StorageDriver, peer: StorageDriver, throughput = new CopyThroughput()) {
  return new BlobCopier({ own, peer: () => peer }, throughput);
}

describe(`${BlobCopier.name} with S3 stores`, () => {
  it('copies between two buckets of one endpoint server side, byte for byte', async () => {
    const [usEast, euWest] = [await bucket('us-east'), await bucket('eu-west')];
    const layer = randomBytes(7 * MiB);
    const digest = sha256Digest(layer);
    await usEast.put(blobKey(digest), layer);
    const throughput = new CopyThroughput();

    await expect(copier(euWest, usEast, throughput).ensure('us-east', { digest })).resolves.toBe(
      'copied',
    );
    expect((await readAll(euWest, blobKey(digest))).equals(layer)).toBe(true);
    expect(throughput.bytesPerSecond('us-east') * 60).toBe(layer.length);
  });

  it('streams from a filesystem peer into a bucket, verifying the digest', async () => {
    const [usEast, euWest] = [await directory('us-east-fs'), await bucket('eu-west')];
    const layer = randomBytes(12 * MiB);
    const digest = sha256Digest(layer);
    await usEast.put(blobKey(digest), layer);

    await copier(euWest, usEast).ensure('us-east', { digest, size: layer.length });
    expect((await readAll(euWest, blobKey(digest))).equals(layer)).toBe(true);
  });

  it('streams a sha512 blob into its blobs/sha512/ key, verified with sha512', async () => {
    const [usEast, euWest] = [await directory('us-east-sha512'), await bucket('eu-west')];
    const layer = randomBytes(6 * MiB);
    const digest = sha512Digest(layer);
    await usEast.put(blobKey(digest), layer);

    await copier(euWest, usEast).ensure('us-east', { digest, size: layer.length });
    expect(blobKey(digest)).toMatch(/^blobs\/sha512\//);
    expect((await readAll(euWest, blobKey(digest))).equals(layer)).toBe(true);
  });

  it.each([
    ['sha256', sha256Digest],
    ['sha512', sha512Digest],
  ])(
    "never completes a bucket's put with bytes that do not hash to the %s digest",
    async (algorithm, hash) => {
      const [usEast, euWest] = [
        await directory(`us-east-tampered-${algorithm}`),
        await bucket('eu-west'),
      ];
      for (const size of [64 * 1024, 12 * MiB]) {
        const layer = randomBytes(size);
        const digest = hash(layer);
        layer[layer.length - 1] ^= 0xff;
        await usEast.put(blobKey(digest), layer);

        await expect(
          copier(euWest, usEast).ensure('us-east', { digest, size: layer.length }),
        ).rejects.toBeInstanceOf(DigestMismatchError);
        expect(await euWest.stat(blobKey(digest))).toBeUndefined();
      }
    },
  );
});
