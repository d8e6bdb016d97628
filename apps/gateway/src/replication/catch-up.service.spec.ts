import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RegistryError,
  type RpcDefinition,
  type RpcRequest,
  type RpcResponse,
  deletedHereDetail,
  replicationRpc,
} from '@meridian/contracts';
import type { RpcClient } from '@meridian/messaging';
import { FilesystemStorageDriver, type StorageConfig, blobKey } from '@meridian/storage';
import pino from 'pino';
import { CatchUp, catchUpRetryAfterSeconds } from './catch-up.service';
import { PeerStores } from './peer-stores';

const digest = `sha256:${'a'.repeat(64)}`;
const context = { request: { id: 'r1', method: 'GET' } };

/** The replication service as the gateway sees it: answers per RPC, and what it was asked. */
class FakeReplication {
  readonly asked: Array<{ verb: string; timeoutMs?: number }> = [];
  answers = new Map<string, () => unknown>();

  request<D extends RpcDefinition>(
    def: D,
    _payload: RpcRequest<D>,
    options: { timeoutMs?: number } = {},
  ): Promise<RpcResponse<D>> {
    this.asked.push({ verb: def.verb, timeoutMs: options.timeoutMs });
    const answer = this.answers.get(def.verb);
    if (!answer) return Promise.reject(new RegistryError('UNAVAILABLE', 'no responders'));
    try {
      return Promise.resolve(answer() as RpcResponse<D>);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
}

describe(CatchUp.name, () => {
  let storeDir: string;
  let replication: FakeReplication;
  const miss = new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown');
  const blobMiss = new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry');

  beforeEach(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'meridian-peer-store-'));
    replication = new FakeReplication();
  });
  afterEach(() => rm(storeDir, { recursive: true, force: true }));

  const build = (peers: Record<string, StorageConfig> = { 'eu-west': fsStore(storeDir) }) =>
    new CatchUp(
      replication as unknown as RpcClient,
      new PeerStores(peers),
      { peerStores: peers, timeoutMs: 300 },
      pino({ level: 'silent' }),
    );

  const manifestRequest = { repository: 'team/app', reference: '1.0', includeBody: true };

  it('serves a manifest a peer region has, asking with the short timeout', async () => {
    replication.answers.set(replicationRpc.lookupManifest.verb, () => ({
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 2,
      body: Buffer.from('{}').toString('base64'),
      region: 'eu-west',
    }));
    const sut = build();
    await expect(sut.manifestAfterMiss(miss, manifestRequest, context)).resolves.toMatchObject({
      digest,
      region: 'eu-west',
    });
    expect(replication.asked).toEqual([{ verb: 'lookup-manifest', timeoutMs: 300 }]);
  });

  it('answers the original miss when no peer has the manifest', async () => {
    replication.answers.set(replicationRpc.lookupManifest.verb, () => {
      throw new RegistryError('MANIFEST_UNKNOWN', 'no region has it');
    });
    await expect(build().manifestAfterMiss(miss, manifestRequest, context)).rejects.toBe(miss);
  });

  it('answers 503 with when to retry, never a false 404, when replication does not answer', async () => {
    const unavailable = expect.objectContaining({
      code: 'UNAVAILABLE',
      detail: { retryAfterSeconds: catchUpRetryAfterSeconds },
    });
    await expect(build().manifestAfterMiss(miss, manifestRequest, context)).rejects.toEqual(
      unavailable,
    );
    await expect(
      build().blobAfterMiss(blobMiss, { repository: 'team/app', digest }, context),
    ).rejects.toEqual(unavailable);
    expect(replication.asked).toHaveLength(2);
  });

  it('answers 503 as well when replication fails otherwise', async () => {
    replication.answers.set(replicationRpc.lookupManifest.verb, () => {
      throw new RegistryError('UNKNOWN', 'database down');
    });
    await expect(build().manifestAfterMiss(miss, manifestRequest, context)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });

  it('answers 503 when the peer has the blob but its store cannot be opened', async () => {
    replication.answers.set(replicationRpc.locateBlob.verb, () => ({ region: 'eu-west', size: 5 }));
    // a store that cannot be opened: its directory would be inside a file
    await writeFile(join(storeDir, 'file'), '');
    const unreachable = fsStore(join(storeDir, 'file', 'store'));
    await expect(
      build({ 'eu-west': unreachable }).blobAfterMiss(
        blobMiss,
        { repository: 'team/app', digest },
        context,
      ),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('asks nobody without peers, and passes on errors that are not misses', async () => {
    await expect(build({}).manifestAfterMiss(miss, manifestRequest, context)).rejects.toBe(miss);
    const denied = new RegistryError('DENIED', 'requested access to the resource is denied');
    await expect(build().manifestAfterMiss(denied, manifestRequest, context)).rejects.toBe(denied);
    expect(replication.asked).toEqual([]);
  });

  it('never asks peers for what this region deleted itself: the delete answers at once', async () => {
    replication.answers.set(replicationRpc.lookupManifest.verb, () => ({
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 2,
      region: 'eu-west',
    }));
    replication.answers.set(replicationRpc.locateBlob.verb, () => ({ region: 'eu-west', size: 5 }));
    const sut = build();
    const manifestDeleted = new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', {
      reference: '1.0',
      ...deletedHereDetail,
    });
    const repositoryDeleted = new RegistryError('NAME_UNKNOWN', 'repository name not known', {
      name: 'team/app',
      ...deletedHereDetail,
    });
    const blobDeleted = new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', {
      digest,
      ...deletedHereDetail,
    });
    for (const deleted of [manifestDeleted, repositoryDeleted])
      await expect(sut.manifestAfterMiss(deleted, manifestRequest, context)).rejects.toBe(deleted);
    await expect(
      sut.blobAfterMiss(blobDeleted, { repository: 'team/app', digest }, context),
    ).rejects.toBe(blobDeleted);
    expect(replication.asked).toEqual([]);
  });

  it('streams a blob from the store of the peer replication names', async () => {
    const peerStore = new FilesystemStorageDriver({ rootDirectory: storeDir });
    await peerStore.init();
    await peerStore.put(blobKey(digest), Buffer.from('layer'));
    replication.answers.set(replicationRpc.locateBlob.verb, () => ({
      region: 'eu-west',
      size: 5,
    }));
    const found = await build().blobAfterMiss(
      blobMiss,
      { repository: 'team/app', digest },
      context,
    );
    expect(found.info).toEqual({ digest, size: 5 });
    const chunks: Buffer[] = [];
    for await (const chunk of await found.store.read(blobKey(digest))) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('layer');
  });

  it('answers the original miss when replication names a region that is no configured peer', async () => {
    replication.answers.set(replicationRpc.locateBlob.verb, () => ({
      region: 'ap-south',
      size: 5,
    }));
    await expect(
      build().blobAfterMiss(blobMiss, { repository: 'team/app', digest }, context),
    ).rejects.toBe(blobMiss);
  });
});

function fsStore(rootDirectory: string): StorageConfig {
  return { driver: 'filesystem', rootDirectory };
}
