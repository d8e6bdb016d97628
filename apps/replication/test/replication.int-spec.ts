/**
 * Replication between two real regions: nats-servers joined by a leafnode link with a
 * JetStream domain each, a Postgres database and a filesystem store each (on two filesystems,
 * so blobs are copied; the other suites keep both on one, where they are linked), and each
 * region's blob, manifest and replication services running as processes.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { authRpc, manifestRpc, replicationRpc } from '@meridian/contracts';
import { blobKey } from '@meridian/storage';
import { expectEventually } from '@meridian/testing';
import { NatsPeerLinks } from '../src/status/peer-links';
import {
  type PushedBlob,
  type RegionUnderTest,
  TwoRegions,
  adminPassword,
} from './two-regions.harness';

jest.setTimeout(240_000);

async function readBlob(region: RegionUnderTest, digest: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await region.store.read(blobKey(digest))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function expectReadyIn(region: RegionUnderTest, repository: string, reference: string) {
  return expectEventually(
    async () => {
      const status = await region.client.request(replicationRpc.status, { repository, reference });
      expect(status.regions.map(({ region: name, state }) => [name, state])).toEqual([
        [region.region, 'ready'],
        [region.region === 'us-east' ? 'eu-west' : 'us-east', 'ready'],
      ]);
      return status;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

async function expectSameBytes(blobs: PushedBlob[], region: RegionUnderTest): Promise<void> {
  for (const blob of blobs)
    expect((await readBlob(region, blob.digest)).equals(blob.bytes)).toBe(true);
}

describe('replication between two regions', () => {
  let regions: TwoRegions;

  beforeAll(async () => {
    // a volume per region: blobs are copied, and a crash can come in the middle of a copy
    regions = await TwoRegions.start('replication', {}, { storesApart: true });
  });

  afterAll(async () => {
    await regions?.stop();
  });

  it('makes an image pushed in us-east ready in eu-west, byte for byte, and says so in both', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    const blobs = [
      await usEast.pushBlob('team/api', Buffer.from('{"architecture":"amd64","os":"linux"}')),
      await usEast.pushBlob('team/api', randomBytes(2 * 1024 * 1024)),
      await usEast.pushBlob('team/api', randomBytes(512 * 1024)),
    ];
    const pushed = await usEast.pushImage('team/api', 'v1', blobs);

    const status = await expectReadyIn(euWest, 'team/api', 'v1');
    expect(status.digest).toBe(pushed.digest);
    const here = status.regions.find((entry) => entry.region === 'eu-west');
    expect(here?.lagMs).toBeGreaterThanOrEqual(0);
    await expectSameBytes(blobs, euWest);
    const replicated = await euWest.client.request(manifestRpc.get, {
      repository: 'team/api',
      reference: 'v1',
      includeBody: false,
    });
    expect(replicated.digest).toBe(pushed.digest);
    // the origin learns from eu-west's replication.completed that it is ready there
    await expectReadyIn(usEast, 'team/api', pushed.digest);

    const links = await expectEventually(async () => {
      const answer = await euWest.client.request(replicationRpc.regions, {});
      expect(answer.peers).toEqual([
        expect.objectContaining({ region: 'us-east', connected: true, eventsPending: 0 }),
      ]);
      return answer;
    });
    expect(links.region).toBe('eu-west');
    expect(links.peers[0]!.copyBytesPerSecond).toBeGreaterThan(0);
    expect(links.peers[0]!.lastError).toBeUndefined();
  });

  it('answers pulls eu-west has not replicated yet from us-east, and copies that image first', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    await euWest.kill('replication');
    const blobs = [
      await usEast.pushBlob('team/web', Buffer.from('{"architecture":"arm64","os":"linux"}')),
      await usEast.pushBlob('team/web', randomBytes(1024 * 1024)),
      await usEast.pushBlob('team/web', randomBytes(256 * 1024), 'sha512'),
    ];
    const pushed = await usEast.pushImage('team/web', 'v2', blobs);
    // what `replication.regions` reports meanwhile: us-east's events waiting in eu-west
    const links = new NatsPeerLinks(euWest.nats, {
      region: 'eu-west',
      peers: ['us-east'],
      failedAfterAttempts: 5,
    });
    const backlog = await expectEventually(async () => {
      const waiting = await links.backlog('us-east');
      expect(waiting.pending).toBeGreaterThanOrEqual(4);
      return waiting;
    });
    expect(backlog.oldestOccurredAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await links.isConnected('us-east')).toBe(true);
    expect(await links.isConnected('ap-south')).toBe(false);
    await euWest.start('replication');

    const found = await euWest.client.request(replicationRpc.lookupManifest, {
      repository: 'team/web',
      reference: 'v2',
      includeBody: true,
    });
    expect(found).toMatchObject({ region: 'us-east', digest: pushed.digest });
    const located = await euWest.client.request(replicationRpc.locateBlob, {
      repository: 'team/web',
      digest: blobs[1]!.digest,
    });
    expect(located).toEqual({ region: 'us-east', size: blobs[1]!.size });
    const located512 = await euWest.client.request(replicationRpc.locateBlob, {
      repository: 'team/web',
      digest: blobs[2]!.digest,
    });
    expect(located512).toEqual({ region: 'us-east', size: blobs[2]!.size });
    await expect(
      euWest.client.request(replicationRpc.lookupManifest, {
        repository: 'team/web',
        reference: 'never-pushed',
        includeBody: false,
      }),
    ).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });

    await expectReadyIn(euWest, 'team/web', 'v2');
    await expectSameBytes(blobs, euWest);
  });

  it('replicates sha512 blobs and a manifest pushed by its sha512 digest, byte for byte', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    const blobs = [
      await usEast.pushBlob('team/sha512', Buffer.from('{"architecture":"amd64","os":"linux"}')),
      await usEast.pushBlob('team/sha512', randomBytes(2 * 1024 * 1024), 'sha512'),
      await usEast.pushBlob('team/sha512', randomBytes(64 * 1024), 'sha512'),
    ];
    const pushed = await usEast.pushImage('team/sha512', undefined, blobs, 'sha512');
    expect(pushed.digest).toMatch(/^sha512:[0-9a-f]{128}$/);

    await expectReadyIn(euWest, 'team/sha512', pushed.digest);
    await expectSameBytes(blobs, euWest);
    expect(blobKey(blobs[1]!.digest)).toMatch(/^blobs\/sha512\//);
    const replicated = await euWest.client.request(manifestRpc.get, {
      repository: 'team/sha512',
      reference: pushed.digest,
      includeBody: false,
    });
    expect(replicated.digest).toBe(pushed.digest);
  });

  it('replicates a multi-platform index with every child, ready only with all of them', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    const blobs: PushedBlob[] = [];
    const children = [];
    for (const os of ['linux/amd64', 'linux/arm64']) {
      const platformBlobs = [
        await usEast.pushBlob('team/multi', Buffer.from(JSON.stringify({ os }))),
        await usEast.pushBlob('team/multi', randomBytes(300 * 1024)),
      ];
      blobs.push(...platformBlobs);
      children.push(await usEast.pushImage('team/multi', undefined, platformBlobs));
    }
    const index = await usEast.pushIndex('team/multi', 'v1', children);

    const status = await expectReadyIn(euWest, 'team/multi', 'v1');
    expect(status.digest).toBe(index.digest);
    for (const child of children)
      expect(await euWest.resolve('team/multi', child.digest)).toBe(child.digest);
    await expectSameBytes(blobs, euWest);
  });

  it('does not resurrect in eu-west an image us-east deleted while eu-west was behind', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    await euWest.kill('replication');
    const blobs = [
      await usEast.pushBlob('team/gone', Buffer.from('{"os":"linux"}')),
      await usEast.pushBlob('team/gone', randomBytes(64 * 1024)),
    ];
    const pushed = await usEast.pushImage('team/gone', 'v1', blobs);
    await usEast.client.request(manifestRpc.delete, {
      repository: 'team/gone',
      reference: pushed.digest,
    });
    // a later image in the same repository, to know when eu-west has caught up
    const marker = await usEast.pushImage('team/gone', 'v2', [
      await usEast.pushBlob('team/gone', Buffer.from('{"os":"linux","variant":"v2"}')),
    ]);
    await euWest.start('replication');

    await expectReadyIn(euWest, 'team/gone', 'v2');
    expect(await euWest.resolve('team/gone', pushed.digest)).toBe('MANIFEST_UNKNOWN');
    expect(await euWest.resolve('team/gone', 'v1')).toBe('MANIFEST_UNKNOWN');
    expect(await euWest.resolve('team/gone', 'v2')).toBe(marker.digest);
    await expect(
      euWest.client.request(replicationRpc.status, {
        repository: 'team/gone',
        reference: pushed.digest,
      }),
    ).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
  });

  it('ends with one digest for a tag pushed to different images in both regions at once', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    await Promise.all([usEast.kill('replication'), euWest.kill('replication')]);
    const pushes = await Promise.all(
      [usEast, euWest].map(async (region) => {
        const blobs = [
          await region.pushBlob('team/race', Buffer.from(`{"pushedIn":"${region.region}"}`)),
          await region.pushBlob('team/race', randomBytes(32 * 1024)),
        ];
        return region.pushImage('team/race', 'latest', blobs);
      }),
    );
    expect(pushes[0]!.digest).not.toBe(pushes[1]!.digest);
    await Promise.all([usEast.start('replication'), euWest.start('replication')]);

    for (const push of pushes) {
      await expectReadyIn(usEast, 'team/race', push.digest);
      await expectReadyIn(euWest, 'team/race', push.digest);
    }
    const winner = await expectEventually(async () => {
      const [inUsEast, inEuWest] = await Promise.all(
        [usEast, euWest].map((region) => region.resolve('team/race', 'latest')),
      );
      expect(inUsEast).toBe(inEuWest);
      return inUsEast;
    });
    expect(pushes.map((push) => push.digest)).toContain(winner);
  });

  it("lets the admin account enabled in us-east log in to eu-west, with us-east's keys", async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    const identity = await expectEventually(
      () =>
        euWest.client.request(authRpc.authenticate, {
          username: 'admin',
          password: adminPassword,
        }),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(identity).toMatchObject({ kind: 'admin', name: 'admin' });
    const usEastKeys = await usEast.client.request(authRpc.keys, {});
    const euWestKeys = await euWest.client.request(authRpc.keys, {});
    const kids = (keys: typeof euWestKeys) => keys.keys.map((key) => key.kid);
    expect(kids(euWestKeys)).toEqual(expect.arrayContaining(kids(usEastKeys)));
  });

  it('catches up on what us-east stored while the link to eu-west was down', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    await regions.cutOff('eu-west');
    await expectEventually(async () => {
      const links = await usEast.client.request(replicationRpc.regions, {});
      expect(links.peers[0]).toMatchObject({ region: 'eu-west', connected: false });
    });
    const blobs = [
      await usEast.pushBlob('team/offline', Buffer.from('{"os":"windows"}')),
      await usEast.pushBlob('team/offline', randomBytes(256 * 1024)),
    ];
    const pushed = await usEast.pushImage('team/offline', 'v1', blobs);

    await regions.reconnect('eu-west');
    const status = await expectReadyIn(euWest, 'team/offline', 'v1');
    expect(status.digest).toBe(pushed.digest);
    await expectSameBytes(blobs, euWest);
  });

  it('converges after a kill -9 in the middle of a blob copy, never showing a partial blob', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    await euWest.kill('replication');
    const blobs = [await usEast.pushBlob('team/big', Buffer.from('{"os":"linux"}'))];
    for (let layer = 0; layer < 3; layer++)
      blobs.push(await usEast.pushBlob('team/big', randomBytes(48 * 1024 * 1024)));
    const pushed = await usEast.pushImage('team/big', 'v1', blobs);

    await euWest.start('replication');
    // crash as soon as a copy is under way (its temporary file is in the store)
    const blobsDir = join(euWest.env['MERIDIAN_STORAGE_DIR']!, 'blobs', 'sha256');
    const copying = await expectEventually(
      async () => {
        const partial = await findTemporaryFiles(blobsDir);
        expect(partial.length).toBeGreaterThan(0);
        return partial;
      },
      { timeoutMs: 30_000, intervalMs: 2 },
    ).catch(() => []);
    await euWest.kill('replication');
    for (const blob of blobs) {
      const stat = await euWest.store.stat(blobKey(blob.digest));
      if (stat) expect((await readBlob(euWest, blob.digest)).equals(blob.bytes)).toBe(true);
    }

    await euWest.start('replication');
    const status = await expectReadyIn(euWest, 'team/big', 'v1');
    expect(status.digest).toBe(pushed.digest);
    await expectSameBytes(blobs, euWest);
    // the crash did happen mid-copy (else this test proved less than it says)
    expect(copying.length).toBeGreaterThan(0);
  });
});

/** The filesystem driver's in-progress writes: hidden `.<uuid>.tmp` files beside blobs. */
async function findTemporaryFiles(blobsDir: string): Promise<string[]> {
  const fanOut = await readdir(blobsDir).catch(() => [] as string[]);
  const found: string[] = [];
  for (const prefix of fanOut) {
    const names = await readdir(join(blobsDir, prefix)).catch(() => [] as string[]);
    found.push(...names.filter((name) => name.endsWith('.tmp')));
  }
  return found;
}
