import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '@meridian/oci';
import { FilesystemStorageDriver, blobKey, DigestMismatchError } from '@meridian/storage';
import { BlobCopier } from './blob-copier';
import { CopyThroughput } from './copy-throughput';

const layer = Buffer.alloc(3 * 1024 * 1024, 'meridian layer ');
const digest = sha256Digest(layer);

async function readAll(driver: FilesystemStorageDriver, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await driver.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe(BlobCopier.name, () => {
  let dir: string;
  let own: FilesystemStorageDriver;
  let usEast: FilesystemStorageDriver;
  let throughput: CopyThroughput;
  let sut: BlobCopier;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-copier-'));
    own = new FilesystemStorageDriver({ rootDirectory: join(dir, 'eu-west') });
    usEast = new FilesystemStorageDriver({ rootDirectory: join(dir, 'us-east') });
    await Promise.all([own.init(), usEast.init()]);
    throughput = new CopyThroughput();
    sut = new BlobCopier(
      {
        own,
        peer: (region) => {
          if (region !== 'us-east') throw new Error(`no store for ${region}`);
          return usEast;
        },
      },
      throughput,
    );
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("copies a blob the region lacks from the peer's store, byte for byte", async () => {
    await usEast.put(blobKey(digest), layer);
    await expect(sut.ensure('us-east', { digest, size: layer.length })).resolves.toBe('copied');
    expect((await readAll(own, blobKey(digest))).equals(layer)).toBe(true);
    expect(throughput.bytesPerSecond('us-east') * 60).toBe(layer.length);
  });

  it('copies nothing when the region has the blob already', async () => {
    await own.put(blobKey(digest), layer);
    await expect(sut.ensure('us-east', { digest })).resolves.toBe('present');
    expect(throughput.bytesPerSecond('us-east')).toBe(0);
  });

  it("links the peer's file between two directories of one filesystem: no byte is written", async () => {
    await usEast.put(blobKey(digest), layer);
    await expect(sut.ensure('us-east', { digest, size: layer.length })).resolves.toBe('copied');
    const [theirs, ours] = await Promise.all([
      stat(join(usEast.rootDirectory, blobKey(digest))),
      stat(join(own.rootDirectory, blobKey(digest))),
    ]);
    expect(ours.ino).toBe(theirs.ino);
    expect(throughput.bytesPerSecond('us-east') * 60).toBe(layer.length);
  });

  it('copies between two directories without this process, trusting the bytes the peer verified, and checks their size', async () => {
    const truncated = layer.subarray(0, layer.length - 1);
    await usEast.put(blobKey(digest), truncated);
    await expect(sut.ensure('us-east', { digest, size: layer.length })).rejects.toThrow(
      `holds ${truncated.length} bytes, expected ${layer.length}`,
    );
    expect(await own.stat(blobKey(digest))).toBeUndefined();

    const tampered = Buffer.from(layer);
    tampered[tampered.length - 1] = 0;
    await usEast.put(blobKey(digest), tampered);
    await expect(sut.ensure('us-east', { digest, size: layer.length })).resolves.toBe('copied');
    expect((await readAll(own, blobKey(digest))).equals(tampered)).toBe(true);
  });

  it('refuses bytes streamed from another kind of store that do not hash to the digest, leaving nothing', async () => {
    const tampered = Buffer.from(layer);
    tampered[tampered.length - 1] = 0;
    await usEast.put(blobKey(digest), tampered);
    // the peer's store seen as another driver: its bytes pass through this process
    const streamed = new Proxy(usEast, { getPrototypeOf: () => Object.prototype });
    const copier = new BlobCopier({ own, peer: () => streamed }, throughput);
    await expect(copier.ensure('us-east', { digest })).rejects.toBeInstanceOf(DigestMismatchError);
    expect(await own.stat(blobKey(digest))).toBeUndefined();
    const leftovers = await readdir(join(dir, 'eu-west', 'blobs', 'sha256', digest.slice(7, 9)));
    expect(leftovers).toEqual([]);
  });

  it('shares one copy between concurrent requests for a blob', async () => {
    await usEast.put(blobKey(digest), layer);
    const outcomes = await Promise.all([
      sut.ensure('us-east', { digest }),
      sut.ensure('us-east', { digest }),
    ]);
    expect(outcomes).toEqual(['copied', 'copied']);
    expect(throughput.bytesPerSecond('us-east') * 60).toBe(layer.length);
  });

  it("fails when the peer's store lacks the blob too", async () => {
    await expect(sut.ensure('us-east', { digest })).rejects.toThrow();
  });
});
