/**
 * Repairs of a blob this region's store holds wrong, from real stores: filesystem
 * directories and Ceph RGW buckets. Peers are tried in turn and one is used only when its copy
 * hashes to the digest; between buckets of one endpoint the copy is server side and read back;
 * when no peer has an intact copy, this region's key keeps what it held.
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
} from '@meridian/storage';
import { type S3Server, startOrReuseCephRgw, uniqueBucketName } from '@meridian/testing';
import { BlobRepairer } from '../src/blobs/blob-repairer';
import { CopyThroughput } from '../src/blobs/copy-throughput';

jest.setTimeout(180_000);

const MiB = 1024 * 1024;
let rgw: S3Server;
let scratch: string;
const buckets: S3StorageDriver[] = [];

beforeAll(async () => {
  rgw = await startOrReuseCephRgw();
  scratch = await mkdtemp(join(tmpdir(), 'meridian-repairer-'));
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
    bucket: uniqueBucketName(`repair-${region}`),
    redirect: false,
    partSize: 5 * MiB,
  });
  buckets.push(driver);
  await driver.init();
  return driver;
}

let directories = 0;
async function directory(region: string): Promise<FilesystemStorageDriver> {
  directories += 1;
  const driver = new FilesystemStorageDriver({
    rootDirectory: join(scratch, `${region}-${directories}`),
  });
  await driver.init();
  return driver;
}

async function readAll(driver: StorageDriver, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await driver.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function repairer(own: StorageDriver, peers: Record<string, StorageDriver>) {
  return new BlobRepairer(
    {
      own,
      peer: (region) => {
        const store = peers[region];
        if (!store) throw new Error(`no store for ${region}`);
        return store;
      },
    },
    () => Object.keys(peers),
    new CopyThroughput(),
  );
}

function flipped(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[copy.length >> 1] ^= 0xff;
  return copy;
}

const kinds: [string, (region: string) => Promise<StorageDriver>][] = [
  ['filesystem', directory],
  ['S3', bucket],
];

describe.each(kinds)(`${BlobRepairer.name}, this region's store on %s`, (_kind, ownStore) => {
  it('skips a peer without the blob and a peer with corrupt bytes, and repairs from the next', async () => {
    const own = await ownStore('us-east');
    const [apSouth, euWest, usWest] = [
      await directory('ap-south'),
      await directory('eu-west'),
      await directory('us-west'),
    ];
    const layer = randomBytes(7 * MiB);
    const digest = sha256Digest(layer);
    await own.put(blobKey(digest), flipped(layer));
    await euWest.put(blobKey(digest), flipped(layer));
    await usWest.put(blobKey(digest), layer);

    const outcome = await repairer(own, {
      'ap-south': apSouth,
      'eu-west': euWest,
      'us-west': usWest,
    }).repair({ digest, size: layer.length });

    expect(outcome).toEqual({ repaired: true, region: 'us-west' });
    expect((await readAll(own, blobKey(digest))).equals(layer)).toBe(true);
  });

  it('says what each peer had when none has an intact copy, and leaves the key as it was', async () => {
    const own = await ownStore('us-east');
    const [euWest, usWest] = [await directory('eu-west'), await directory('us-west')];
    const layer = randomBytes(64 * 1024);
    const digest = sha512Digest(layer);
    const held = flipped(layer);
    await own.put(blobKey(digest), held);
    // the right bytes and one more: the size gives it away
    await usWest.put(blobKey(digest), Buffer.concat([layer, Buffer.from('x')]));

    const outcome = await repairer(own, { 'eu-west': euWest, 'us-west': usWest }).repair({
      digest,
      size: layer.length,
    });

    expect(outcome).toEqual({
      repaired: false,
      peers: [
        { region: 'eu-west', state: 'missing' },
        {
          region: 'us-west',
          state: 'corrupt',
          detail: expect.stringContaining('copied bytes hash to'),
        },
      ],
    });
    expect((await readAll(own, blobKey(digest))).equals(held)).toBe(true);
  });

  it('writes a blob this region lost altogether', async () => {
    const own = await ownStore('us-east');
    const euWest = await directory('eu-west');
    const layer = randomBytes(1000);
    const digest = sha256Digest(layer);
    await euWest.put(blobKey(digest), layer);

    await expect(
      repairer(own, { 'eu-west': euWest }).repair({ digest, size: 1000 }),
    ).resolves.toEqual({ repaired: true, region: 'eu-west' });
    expect((await readAll(own, blobKey(digest))).equals(layer)).toBe(true);
  });
});

describe(`${BlobRepairer.name} between two buckets of one endpoint`, () => {
  it('checks the peer before a server-side copy, and never copies corrupt bytes over', async () => {
    const [usEast, euWest] = [await bucket('us-east'), await bucket('eu-west')];
    const layer = randomBytes(6 * MiB);
    const digest = sha256Digest(layer);
    const held = flipped(layer);
    await usEast.put(blobKey(digest), held);
    await euWest.put(blobKey(digest), flipped(held.subarray(1)));

    const refused = await repairer(usEast, { 'eu-west': euWest }).repair({
      digest,
      size: layer.length,
    });
    expect(refused).toMatchObject({
      repaired: false,
      peers: [{ region: 'eu-west', state: 'corrupt' }],
    });
    expect((await readAll(usEast, blobKey(digest))).equals(held)).toBe(true);

    await euWest.put(blobKey(digest), layer);
    const repaired = await repairer(usEast, { 'eu-west': euWest }).repair({
      digest,
      size: layer.length,
    });
    expect(repaired).toEqual({ repaired: true, region: 'eu-west' });
    expect((await readAll(usEast, blobKey(digest))).equals(layer)).toBe(true);
  });
});
