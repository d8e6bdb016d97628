/**
 * A partition between two regions that NATS has not noticed yet: the leaf node link runs
 * through a TCP proxy that black-holes it (connections stay open, nothing crosses). A pull
 * or push that misses in us-east makes its replication service look the image up in
 * eu-west; only the first lookup may wait for the peer's timeout, the next ones answer
 * "unknown" at once (the breaker skips the peer). Both nats-servers notice the dead link
 * within seconds (ping interval), and once the network heals, lookups find eu-west's
 * images again within seconds.
 *
 * us-east runs the real LookupsService over real NATS; eu-west's manifest and blob
 * services are stand-ins answering their RPCs on eu-west's real nats-server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError, blobRpc, isRegistryError, manifestRpc } from '@meridian/contracts';
import { Nats, RpcClient, fakeAnswer, startFakeRpcService } from '@meridian/messaging';
import { freePort } from '@meridian/process';
import { FilesystemStorageDriver } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import {
  TcpProxy,
  type TestNatsServer,
  expectEventually,
  startNatsServer,
} from '@meridian/testing';
import { BlobCopier } from '../src/blobs/blob-copier';
import { CopyThroughput } from '../src/blobs/copy-throughput';
import { LookupsService } from '../src/lookups/lookups.service';
import { PeerBreaker } from '../src/replication/peer-breaker';
import { NatsRegionServices, peerTimeoutMs } from '../src/replication/region-services';

const image = {
  digest: `sha256:${'a'.repeat(64)}`,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: 512,
};
const absentBlob = `sha256:${'b'.repeat(64)}`;
/** far above a skipped peer's cost (a few ms), far below the peer's timeout */
const fastMissMs = 500;

describe('lookups in a peer region across a partitioned link', () => {
  let hub: TestNatsServer;
  let spoke: TestNatsServer;
  let link: TcpProxy;
  let storeRoot: string;
  const clients: { close(): Promise<void> }[] = [];
  let sut: LookupsService;

  beforeAll(async () => {
    const leafPort = await freePort('127.0.0.1');
    link = await TcpProxy.start({ host: '127.0.0.1', port: leafPort });
    hub = await startNatsServer({
      serverName: 'us-east',
      jetStreamDomain: 'us-east',
      // or eu-west would redial the hub directly, around the proxy
      leafnodes: {
        listen: { host: '127.0.0.1', port: leafPort },
        advertise: `127.0.0.1:${link.port}`,
      },
    });
    spoke = await startNatsServer({
      serverName: 'eu-west',
      jetStreamDomain: 'eu-west',
      leafnodes: { remotes: [`nats-leaf://127.0.0.1:${link.port}`] },
    });
    const logger = (service: string, region: string) =>
      createLogger({ service, region, level: 'silent' });

    const manifests = await startFakeRpcService(
      {
        servers: spoke.url,
        region: 'eu-west',
        service: 'manifest',
        logger: logger('manifest', 'eu-west'),
      },
      [
        fakeAnswer(manifestRpc.get, async ({ repository, reference }) => {
          if (repository === 'team/api' && reference === 'v1') return image;
          throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown to registry');
        }),
      ],
    );
    const blobs = await startFakeRpcService(
      {
        servers: spoke.url,
        region: 'eu-west',
        service: 'blob',
        logger: logger('blob', 'eu-west'),
      },
      [
        fakeAnswer(blobRpc.stat, async () => {
          throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry');
        }),
      ],
    );
    const replication = await Nats.connect({
      servers: hub.url,
      region: 'us-east',
      service: 'replication',
      logger: logger('replication', 'us-east'),
    });
    clients.push(manifests, blobs, replication);
    await replication.connection.flush();

    storeRoot = await mkdtemp(join(tmpdir(), 'meridian-partition-'));
    const stores = Object.fromEntries(
      ['us-east', 'eu-west'].map((region) => [
        region,
        new FilesystemStorageDriver({ rootDirectory: join(storeRoot, region) }),
      ]),
    );
    for (const store of Object.values(stores)) await store.init();
    sut = new LookupsService(
      { region: 'us-east', peers: ['eu-west'], failedAfterAttempts: 5 },
      new NatsRegionServices(new RpcClient(replication), new PeerBreaker()),
      new BlobCopier({ own: stores['us-east']!, peer: (r) => stores[r]! }, new CopyThroughput()),
      logger('replication', 'us-east'),
    );
  }, 60_000);

  afterAll(async () => {
    await sut?.settled();
    for (const client of clients) await client.close();
    await spoke?.stop();
    await link?.close();
    await hub?.stop();
    if (storeRoot) await rm(storeRoot, { recursive: true, force: true });
  });

  const lookup = () =>
    sut.lookupManifest({ repository: 'team/api', reference: 'v1', includeBody: false });

  /** The lookup's outcome (region found, or error code) and how long it took. */
  async function timed(call: () => Promise<{ region: string }>) {
    const started = performance.now();
    try {
      const { region } = await call();
      return { outcome: region, ms: performance.now() - started };
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      return { outcome: error.code, ms: performance.now() - started };
    }
  }

  async function leafConnections(server: TestNatsServer): Promise<number> {
    const response = await fetch(`${server.monitorUrl}/leafz`);
    return ((await response.json()) as { leafnodes: number }).leafnodes;
  }

  it('finds the image in eu-west while the link is up', async () => {
    await expectEventually(async () => expect((await timed(lookup)).outcome).toBe('eu-west'), {
      timeoutMs: 20_000,
    });
  });

  it('waits for the peer once after the link went dark, then answers misses at once', async () => {
    link.blackHole();
    const first = await timed(lookup);
    expect(first.outcome).toBe('MANIFEST_UNKNOWN');
    expect(first.ms).toBeGreaterThanOrEqual(peerTimeoutMs - 50);
    expect(first.ms).toBeLessThan(peerTimeoutMs + 1_000);

    // what a push does next: HEADs of its blobs and of the manifest, all misses here
    const next = [];
    for (let i = 0; i < 3; i++) {
      next.push(await timed(lookup));
      next.push(await timed(() => sut.locateBlob({ repository: 'team/api', digest: absentBlob })));
    }
    expect(next.map(({ outcome }) => outcome)).toEqual(
      Array.from({ length: 3 }, () => ['MANIFEST_UNKNOWN', 'BLOB_UNKNOWN']).flat(),
    );
    for (const { ms } of next) expect(ms).toBeLessThan(fastMissMs);
    // the link's servers have not given up on it yet: the breaker did this
    expect(await leafConnections(hub)).toBe(1);
  });

  it('closes the dead link within seconds (leaf node pings), not minutes', async () => {
    await expectEventually(async () => expect(await leafConnections(hub)).toBe(0), {
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    // eu-west redials through the partition (the hub advertises the proxy): still dark
    for (let i = 0; i < 3; i++) {
      const miss = await timed(lookup);
      expect(miss.outcome).toBe('MANIFEST_UNKNOWN');
      expect(miss.ms).toBeLessThan(fastMissMs);
    }
    expect(await leafConnections(hub)).toBe(0);
  }, 30_000);

  it('finds eu-west images again within seconds once the network heals', async () => {
    link.restore();
    const healed = performance.now();
    await expectEventually(async () => expect((await timed(lookup)).outcome).toBe('eu-west'), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    // a redial (1 s), interest crossing the link, the breaker's next probe (4 s at most)
    expect(performance.now() - healed).toBeLessThan(12_000);
  }, 30_000);
});
