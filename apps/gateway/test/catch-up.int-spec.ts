/**
 * Pulls while the region catches up: the region's manifest and blob services have never
 * heard of the image, a peer region has it. A stand-in for this region's replication
 * service (its two lookup RPCs, on the region's real NATS) says which peer has what; the
 * peer's store is a real directory. The gateway must serve the manifest it is handed and
 * stream the blob (ranges too) from the peer's store, and answer 404 when no peer has it.
 * While the replication service does not answer at all (not started yet, stopped), the
 * region cannot tell whether a peer has the image: 503 with Retry-After, never a 404.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError, replicationRpc } from '@meridian/contracts';
import { type FakeRpcService, fakeAnswer, startFakeRpcService } from '@meridian/messaging';
import { mediaTypes, sha256Digest } from '@meridian/oci';
import { FilesystemStorageDriver, blobKey } from '@meridian/storage';
import pino from 'pino';
import { errorCode, randomBlob } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('pulls served from a peer region while this one catches up', () => {
  let registry: RegistryUnderTest;
  let peerDir: string;
  let replication: FakeRpcService | undefined;
  const saved = {
    peers: process.env['MERIDIAN_PEERS'],
    dir: process.env['MERIDIAN_PEER_EU_WEST_STORAGE_DIR'],
    timeout: process.env['MERIDIAN_CATCH_UP_TIMEOUT_MS'],
  };

  const layer = randomBlob(20_000);
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: {
        mediaType: mediaTypes.ociConfig,
        digest: sha256Digest(config),
        size: config.length,
      },
      layers: [
        { mediaType: mediaTypes.ociLayerTarGzip, digest: layer.digest, size: layer.bytes.length },
      ],
    }),
  );
  const manifestDigest = sha256Digest(manifest);
  const lookups: string[] = [];

  beforeAll(async () => {
    peerDir = await mkdtemp(join(tmpdir(), 'meridian-peer-store-'));
    const peerStore = new FilesystemStorageDriver({ rootDirectory: peerDir });
    await peerStore.init();
    await peerStore.put(blobKey(layer.digest), layer.bytes);
    process.env['MERIDIAN_PEERS'] = 'eu-west';
    process.env['MERIDIAN_PEER_EU_WEST_STORAGE_DIR'] = peerDir;
    process.env['MERIDIAN_CATCH_UP_TIMEOUT_MS'] = '500';
    registry = await startRegistry();
  }, 120_000);

  afterAll(async () => {
    await replication?.close();
    await registry?.stop();
    await rm(peerDir, { recursive: true, force: true });
    restore('MERIDIAN_PEERS', saved.peers);
    restore('MERIDIAN_PEER_EU_WEST_STORAGE_DIR', saved.dir);
    restore('MERIDIAN_CATCH_UP_TIMEOUT_MS', saved.timeout);
  });

  /** This region's replication service, as far as the gateway sees it: eu-west has the image. */
  async function startReplicationStandIn(): Promise<void> {
    replication = await startFakeRpcService(
      {
        servers: registry.config.natsUrls,
        region: registry.config.region,
        service: 'replication',
        logger: pino({ level: 'silent' }),
      },
      [
        fakeAnswer(replicationRpc.lookupManifest, async (request) => {
          lookups.push(`manifest ${request.repository} ${request.reference}`);
          // geo/held: the same image, quarantined in eu-west
          const held = request.repository === 'geo/held';
          if (
            (request.repository !== 'geo/app' && !held) ||
            ![manifestDigest, 'v1'].includes(request.reference)
          )
            throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown');
          return {
            digest: manifestDigest,
            mediaType: mediaTypes.ociManifest,
            size: manifest.length,
            region: 'eu-west',
            ...(request.includeBody ? { body: manifest.toString('base64') } : {}),
            ...(held ? { quarantine: 'quarantined' as const } : {}),
          };
        }),
        fakeAnswer(replicationRpc.locateBlob, async (request) => {
          lookups.push(`blob ${request.repository} ${request.digest}`);
          if (request.repository !== 'geo/app' || request.digest !== layer.digest)
            throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry');
          return { region: 'eu-west', size: layer.bytes.length };
        }),
      ],
    );
  }

  /** What a client is told while this region's replication service is down: come back soon. */
  async function expectUnavailable(path: string, method = 'GET'): Promise<void> {
    const started = Date.now();
    const response = await registry.request(path, { method });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    if (method === 'GET') expect(await errorCode(response)).toBe('UNAVAILABLE');
    // the catch-up's own wait (500 ms here), not a hang
    expect(Date.now() - started).toBeLessThan(3_000);
  }

  it('answers 503 with Retry-After, not a false 404, when the replication service does not answer', async () => {
    await expectUnavailable(`/v2/geo/app/manifests/v1`);
    await expectUnavailable(`/v2/geo/app/manifests/v1`, 'HEAD');
    await expectUnavailable(`/v2/geo/app/blobs/${layer.digest}`);
  });

  it('answers a blob HEAD 404 when it cannot tell, so a pusher uploads instead of failing', async () => {
    const response = await registry.request(`/v2/geo/app/blobs/${layer.digest}`, {
      method: 'HEAD',
    });
    expect(response.status).toBe(404);
  });

  it('serves the manifest a peer has, by tag and by digest, with its headers', async () => {
    await startReplicationStandIn();
    for (const reference of ['v1', manifestDigest]) {
      const response = await registry.request(`/v2/geo/app/manifests/${reference}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('docker-content-digest')).toBe(manifestDigest);
      expect(response.headers.get('content-type')).toBe(mediaTypes.ociManifest);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(manifest);
    }
    const head = await registry.request(`/v2/geo/app/manifests/v1`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(manifest.length));
    expect(lookups).toContain('manifest geo/app v1');
  });

  it("streams a blob from the peer's store, whole and by range", async () => {
    const path = `/v2/geo/app/blobs/${layer.digest}`;
    const whole = await registry.request(path);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe('20000');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(layer.bytes);

    const part = await registry.request(path, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/20000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(layer.bytes.subarray(100, 200));

    const head = await registry.request(path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('docker-content-digest')).toBe(layer.digest);
  });

  // the stand-in started above still answers
  it("keeps a peer's quarantined image from being pulled here: 404 by tag, 403 by digest", async () => {
    const byTag = await registry.request(`/v2/geo/held/manifests/v1`);
    expect(byTag.status).toBe(404);
    expect(await errorCode(byTag)).toBe('MANIFEST_UNKNOWN');
    const byDigest = await registry.request(`/v2/geo/held/manifests/${manifestDigest}`);
    expect(byDigest.status).toBe(403);
    expect(await errorCode(byDigest)).toBe('DENIED');
  });

  it('answers 404 when no peer has it either', async () => {
    const manifestMiss = await registry.request(`/v2/geo/app/manifests/v2`);
    expect(manifestMiss.status).toBe(404);
    expect(await errorCode(manifestMiss)).toBe('NAME_UNKNOWN');
    const blobMiss = await registry.request(`/v2/geo/app/blobs/${randomBlob(10).digest}`);
    expect(blobMiss.status).toBe(404);
    expect(['BLOB_UNKNOWN', 'NAME_UNKNOWN']).toContain(await errorCode(blobMiss));
    expect(lookups).toContain(`manifest geo/app v2`);
  });

  it('answers 503 again, not 404, once the replication service stops', async () => {
    await replication?.close();
    replication = undefined;
    await expectUnavailable(`/v2/geo/app/manifests/v1`);
    await expectUnavailable(`/v2/geo/app/blobs/${layer.digest}`);
  });
});

function restore(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
