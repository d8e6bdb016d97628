import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { startOrReuseCephRgw, type S3Server, uniqueBucketName } from '@meridian/testing';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createStorageDriver } from '../src/create-storage-driver';
import { FilesystemStorageDriver } from '../src/filesystem.driver';
import { blobKey } from '../src/paths';
import { S3StorageDriver, type S3StorageDriverOptions } from '../src/s3.driver';
import { describeStorageDriverConformance } from '../src/storage-driver.conformance';

const MiB = 1024 * 1024;
let rgw: S3Server;
const drivers: S3StorageDriver[] = [];
let scratch: string;

beforeAll(async () => {
  rgw = await startOrReuseCephRgw();
  scratch = await mkdtemp(join(tmpdir(), 'meridian-storage-s3-'));
}, 180_000);

afterAll(async () => {
  for (const driver of drivers) driver.destroy();
  await rm(scratch, { recursive: true, force: true });
  await rgw?.stop();
});

/** A driver on a bucket of its own; the smallest part size S3 allows, so tests cross part boundaries often. */
async function makeDriver(
  overrides: Partial<S3StorageDriverOptions> = {},
): Promise<S3StorageDriver> {
  const driver = new S3StorageDriver({
    endpoint: rgw.endpoint,
    region: rgw.region,
    accessKeyId: rgw.accessKeyId,
    secretAccessKey: rgw.secretAccessKey,
    bucket: uniqueBucketName('storage'),
    redirect: true,
    partSize: 5 * MiB,
    ...overrides,
  });
  drivers.push(driver);
  await driver.init();
  return driver;
}

describeStorageDriverConformance('s3 (ceph rgw)', () => makeDriver(), {
  // a multipart put (unknown length, or over 5 GiB) killed after its first part
  leaveInterruptedPut: async (driver, key) => {
    const { UploadId } = await driver.client.send(
      new CreateMultipartUploadCommand({ Bucket: driver.bucket, Key: key }),
    );
    await driver.client.send(
      new UploadPartCommand({
        Bucket: driver.bucket,
        Key: key,
        UploadId,
        PartNumber: 1,
        Body: randomBytes(1024),
        ContentLength: 1024,
      }),
    );
  },
});

describe(S3StorageDriver.name, () => {
  const content = randomBytes(13 * MiB + 11);
  const key = blobKey(sha256(content));
  // Pretend CopyObject stops at 6 MiB so the multipart copy path runs without 5 GiB objects.
  const smallCopyLimits = { maxCopyObjectSize: 6 * MiB, copyPartSize: 5 * MiB };

  it('completes a large upload with a multipart server-side copy', async () => {
    const sut = await makeDriver(smallCopyLimits);
    const uploadId = randomUUID();
    let state = await sut.startUpload(uploadId);
    state = await sut.appendUpload(
      uploadId,
      state,
      Readable.from([content.subarray(0, 7 * MiB)]),
      7 * MiB,
    );
    state = await sut.appendUpload(uploadId, state, Readable.from([content.subarray(7 * MiB)]));

    await sut.completeUpload(uploadId, state, key);

    expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
  }, 120_000);

  it('copies between buckets of one endpoint server side, in parts when large', async () => {
    const source = await makeDriver();
    const sut = await makeDriver(smallCopyLimits);
    await source.put(key, content);

    await sut.copyFrom(source, key, key);

    expect(sha256(await readAll(await sut.read(key)))).toBe(sha256(content));
  }, 120_000);

  it('copies to and from a filesystem store by streaming', async () => {
    const filesystem = new FilesystemStorageDriver({ rootDirectory: join(scratch, randomUUID()) });
    await filesystem.init();
    const sut = await makeDriver();
    await filesystem.put(key, content);

    await sut.copyFrom(filesystem, key, key);
    await filesystem.delete(key);
    await filesystem.copyFrom(sut, key, key);

    expect(sha256(await readAll(await filesystem.read(key)))).toBe(sha256(content));
  }, 120_000);

  it('declines to presign when redirects are off', async () => {
    const sut = await makeDriver({ redirect: false });
    await sut.put('test/object', Buffer.from('x'));

    expect(await sut.presignGet('test/object', 60)).toBeUndefined();
  }, 60_000);

  it('is built from configuration and creates its bucket once', async () => {
    const config = {
      driver: 's3' as const,
      endpoint: rgw.endpoint,
      region: rgw.region,
      bucket: uniqueBucketName('config'),
      accessKeyId: rgw.accessKeyId,
      secretAccessKey: rgw.secretAccessKey,
    };
    const first = await createStorageDriver(config);
    const second = await createStorageDriver(config);
    drivers.push(first as S3StorageDriver, second as S3StorageDriver);

    await first.put('test/shared', Buffer.from('one bucket'));

    expect(await second.stat('test/shared')).toEqual({ size: 10 });
  }, 60_000);
});

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
