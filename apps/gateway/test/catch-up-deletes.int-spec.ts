/**
 * A delete is visible in its own region at once, whatever a peer region still holds. The
 * region's real blob and manifest services answer; a stand-in for this region's replication
 * service (its lookup RPCs, on the region's real NATS) says eu-west has everything, as a
 * peer that has not applied the deletes yet would, and eu-west's store (a real directory)
 * holds the blobs. After a DELETE answered 202, HEAD and GET of the manifest (by digest and
 * by tag) and of the blob answer 404 without asking the peer; so do the tags and manifests
 * of a repository deleted here (`DELETE /acr/v1/{name}`), also once the name is pushed
 * again; content this region never had is still served from the peer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError, replicationRpc } from '@meridian/contracts';
import { type FakeRpcService, fakeAnswer, startFakeRpcService } from '@meridian/messaging';
import { mediaTypes } from '@meridian/oci';
import { FilesystemStorageDriver, blobKey } from '@meridian/storage';
import pino from 'pino';
import { acrRequest, repositoryAccess } from './acr-requests';
import {
  type Blob,
  type Manifest,
  errorCode,
  expectStatus,
  pushImage,
  putManifest,
} from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

const repository = 'geo/deleted';
const removed = 'geo/removed';

describe('deletes answered in their own region while a peer still has the content', () => {
  let registry: RegistryUnderTest;
  let peerDir: string;
  let replication: FakeRpcService | undefined;
  let image: { manifest: Manifest; config: Blob; layer: Blob };
  const lookups: string[] = [];
  let removedImage: Manifest | undefined;
  const saved = {
    peers: process.env['MERIDIAN_PEERS'],
    dir: process.env['MERIDIAN_PEER_EU_WEST_STORAGE_DIR'],
    timeout: process.env['MERIDIAN_CATCH_UP_TIMEOUT_MS'],
  };

  beforeAll(async () => {
    peerDir = await mkdtemp(join(tmpdir(), 'meridian-peer-store-'));
    process.env['MERIDIAN_PEERS'] = 'eu-west';
    process.env['MERIDIAN_PEER_EU_WEST_STORAGE_DIR'] = peerDir;
    process.env['MERIDIAN_CATCH_UP_TIMEOUT_MS'] = '1000';
    registry = await startRegistry();
    image = await pushImage(registry, repository, 'v1');
    await expectStatus(await putManifest(registry, repository, 'v2', image.manifest), 201);
    const peerStore = new FilesystemStorageDriver({ rootDirectory: peerDir });
    await peerStore.init();
    for (const blob of [image.config, image.layer])
      await peerStore.put(blobKey(blob.digest), blob.bytes);
    await startPeerThatHasEverything();
  }, 120_000);

  afterAll(async () => {
    await replication?.close();
    await registry?.stop();
    await rm(peerDir, { recursive: true, force: true });
    restore('MERIDIAN_PEERS', saved.peers);
    restore('MERIDIAN_PEER_EU_WEST_STORAGE_DIR', saved.dir);
    restore('MERIDIAN_CATCH_UP_TIMEOUT_MS', saved.timeout);
  });

  /** This region's replication service as the gateway sees it: eu-west has every reference. */
  async function startPeerThatHasEverything(): Promise<void> {
    replication = await startFakeRpcService(
      {
        servers: registry.config.natsUrls,
        region: registry.config.region,
        service: 'replication',
        logger: pino({ level: 'silent' }),
      },
      [
        fakeAnswer(replicationRpc.lookupManifest, async (request) => {
          lookups.push(`manifest ${request.reference}`);
          return {
            digest: image.manifest.digest,
            mediaType: mediaTypes.ociManifest,
            size: image.manifest.body.length,
            region: 'eu-west',
            ...(request.includeBody ? { body: image.manifest.body.toString('base64') } : {}),
          };
        }),
        fakeAnswer(replicationRpc.locateBlob, async (request) => {
          lookups.push(`blob ${request.digest}`);
          const blob = [image.config, image.layer].find((held) => held.digest === request.digest);
          if (!blob) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry');
          return { region: 'eu-west', size: blob.size };
        }),
      ],
    );
  }

  async function expectGone(path: string, code: string): Promise<void> {
    const head = await registry.request(path, { method: 'HEAD' });
    expect(head.status).toBe(404);
    const get = await registry.request(path);
    expect(get.status).toBe(404);
    expect(await errorCode(get)).toBe(code);
  }

  it('answers 404 for a tag deleted here', async () => {
    const path = `/v2/${repository}/manifests/v2`;
    await expectStatus(await registry.request(path, { method: 'DELETE' }), 202);
    await expectGone(path, 'MANIFEST_UNKNOWN');
    expect(lookups).toEqual([]);
  });

  it('answers 404 for a manifest deleted here by digest', async () => {
    const path = `/v2/${repository}/manifests/${image.manifest.digest}`;
    await expectStatus(await registry.request(path, { method: 'DELETE' }), 202);
    await expectGone(path, 'MANIFEST_UNKNOWN');
    expect(lookups).toEqual([]);
  });

  it('answers 404 for a blob deleted here', async () => {
    const path = `/v2/${repository}/blobs/${image.layer.digest}`;
    await expectStatus(await registry.request(path, { method: 'DELETE' }), 202);
    await expectGone(path, 'BLOB_UNKNOWN');
    expect(lookups).toEqual([]);
  });

  it('still serves from the peer what this region never had', async () => {
    const tag = await registry.request(`/v2/${repository}/manifests/v9`, { method: 'HEAD' });
    expect(tag.status).toBe(200);
    const blob = await registry.request(`/v2/geo/other/blobs/${image.config.digest}`);
    expect(blob.status).toBe(200);
    expect(Buffer.from(await blob.arrayBuffer())).toEqual(image.config.bytes);
    expect(lookups).toEqual(['manifest v9', `blob ${image.config.digest}`]);
  });

  it('answers 404 for the tags and manifests of a repository deleted here', async () => {
    const before = [...lookups];
    removedImage = (await pushImage(registry, removed, 'v1')).manifest;
    await expectStatus(await putManifest(registry, removed, 'v2', removedImage), 201);
    const deleted = await acrRequest(registry, `/acr/v1/${removed}`, {
      method: 'DELETE',
      access: [repositoryAccess(removed, 'delete')],
    });
    await expectStatus(deleted, 202);
    for (const reference of ['v1', 'v2', removedImage.digest]) {
      await expectGone(`/v2/${removed}/manifests/${reference}`, 'NAME_UNKNOWN');
    }
    expect(lookups).toEqual(before);
  });

  it('keeps what a repository delete removed gone once the name is pushed again', async () => {
    const before = [...lookups];
    await pushImage(registry, removed, 'v3');
    for (const reference of ['v1', 'v2', removedImage!.digest]) {
      await expectGone(`/v2/${removed}/manifests/${reference}`, 'MANIFEST_UNKNOWN');
    }
    expect(lookups).toEqual(before);
  });
});

function restore(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
