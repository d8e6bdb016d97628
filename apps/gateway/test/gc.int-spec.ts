/**
 * Garbage collection through the gateway, with the real blob and manifest services, on both
 * stores (a temporary directory and a bucket of a real Ceph RGW): what the store holds before
 * and after is read from the store itself. With no grace period, a collection frees the bytes
 * of a deleted image's own blobs and of a layer never referenced, and keeps every blob a
 * manifest still references, in any repository; a dry run reports the same and frees nothing.
 * A blob a push holds (its manifest's transaction has it, libs/database blob-holds.ts) is
 * left for the next collection, and a push held up by a collection completes after it.
 */
import { blobKey } from '@meridian/storage';
import { expectEventually } from '@meridian/testing';
import postgres from 'postgres';
import {
  type Blob,
  errorCode,
  expectStatus,
  imageManifest,
  pushBlob,
  putManifest,
  randomBlob,
  startUpload,
  callApi,
} from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

interface GcJobView {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  dryRun: boolean;
  started?: boolean;
  error?: string;
  progress: {
    blobsFreed: number;
    bytesFreed: number;
    linksRemoved: number;
    blobsBusy: number;
    uploadLeftoversRemoved: number;
  };
}

describe.each(['filesystem', 's3'] as const)('garbage collection (%s store)', (storage) => {
  let registry: RegistryUnderTest;
  let sql: postgres.Sql;

  beforeAll(async () => {
    registry = await startRegistry({
      storage,
      servicesEnv: {
        MERIDIAN_GC_GRACE_HOURS: '0',
        MERIDIAN_GC_INTERVAL_MINUTES: '0',
        MERIDIAN_GC_BLOBS_PER_SECOND: '20',
      },
    });
    sql = postgres(registry.databaseUrl, { max: 2, onnotice: () => undefined });
  }, 180_000);

  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await registry?.stop();
  });

  async function collect(dryRun: boolean): Promise<GcJobView> {
    const started = (await (
      await expectStatus(await callApi(registry, 'POST', '/api/v1/gc', { dryRun }), 202)
    ).json()) as GcJobView;
    let job = started;
    await expectEventually(
      async () => {
        job = (await (
          await expectStatus(await callApi(registry, 'GET', `/api/v1/gc/${started.id}`), 200)
        ).json()) as GcJobView;
        expect(job.status).not.toBe('running');
      },
      { timeoutMs: 30_000 },
    );
    expect(job).toMatchObject({ status: 'succeeded', dryRun });
    return job;
  }

  async function inStore(blob: Blob): Promise<boolean> {
    return (await registry.store.stat(blobKey(blob.digest)))?.size === blob.size;
  }

  async function push(repository: string, tag: string, config: Blob, layers: Blob[]) {
    for (const blob of [config, ...layers]) await pushBlob(registry, repository, blob);
    const manifest = imageManifest(config, layers);
    await expectStatus(await putManifest(registry, repository, tag, manifest), 201);
    return manifest;
  }

  async function pulls(repository: string, blob: Blob): Promise<void> {
    const response = await expectStatus(
      await registry.request(`/v2/${repository}/blobs/${blob.digest}`),
      200,
    );
    expect(Buffer.from(await response.arrayBuffer()).equals(blob.bytes)).toBe(true);
  }

  it('frees what nothing references, keeps every referenced blob, and a dry run agrees', async () => {
    const shared = randomBlob(3000);
    const [configA, ownA, configB, configC, stray] = [1100, 4000, 1200, 1300, 5000].map((size) =>
      randomBlob(size),
    );
    const deleted = await push('gc/app', 'a', configA!, [shared, ownA!]);
    await push('gc/app', 'b', configB!, [shared]);
    // the shared layer mounted into another repository, referenced there too
    await expectStatus(
      await registry.request(`/v2/gc/other/blobs/uploads/?mount=${shared.digest}&from=gc/app`, {
        method: 'POST',
      }),
      201,
    );
    await push('gc/other', 'c', configC!, [shared]);
    await pushBlob(registry, 'gc/app', stray!);
    await expectStatus(
      await registry.request(`/v2/gc/app/manifests/${deleted.digest}`, { method: 'DELETE' }),
      202,
    );
    const garbage = [configA!, ownA!, stray!];
    const garbageBytes = garbage.reduce((sum, blob) => sum + blob.size, 0);

    const dry = await collect(true);
    expect(dry.progress).toMatchObject({ blobsFreed: 3, bytesFreed: garbageBytes });
    for (const blob of garbage) expect(await inStore(blob)).toBe(true);

    const real = await collect(false);
    expect(real.progress).toMatchObject({ blobsFreed: 3, bytesFreed: garbageBytes });
    for (const blob of garbage) expect(await inStore(blob)).toBe(false);
    for (const blob of [shared, configB!, configC!]) expect(await inStore(blob)).toBe(true);
    await pulls('gc/app', shared);
    await pulls('gc/app', configB!);
    await pulls('gc/other', shared);
    await pulls('gc/other', configC!);
    // the repository no longer sees what was freed
    expect(
      (await registry.request(`/v2/gc/app/blobs/${ownA!.digest}`, { method: 'HEAD' })).status,
    ).toBe(404);

    // nothing left to free
    expect((await collect(false)).progress).toMatchObject({ blobsFreed: 0, bytesFreed: 0 });
  }, 120_000);

  it('leaves a blob a push holds for the next collection; a freed blob uploaded again is whole', async () => {
    const layer = randomBlob(2500);
    await pushBlob(registry, 'gc/held', layer);
    // a manifest push's transaction between its check and its commit holds the blob shared
    const pushing = await sql.reserve();
    try {
      await pushing`begin`;
      await pushing`
        select pg_advisory_xact_lock_shared(hashtext('meridian.blob.digest'), hashtext(${layer.digest}))`;
      const job = await collect(false);
      expect(job.progress.blobsBusy).toBeGreaterThanOrEqual(1);
      expect(await inStore(layer)).toBe(true);
      await pushing`commit`;
    } finally {
      pushing.release();
    }
    expect((await collect(false)).progress.blobsFreed).toBeGreaterThanOrEqual(1);
    expect(await inStore(layer)).toBe(false);

    // pushed again after it was freed: stored and pullable again
    const config = randomBlob(900);
    await push('gc/held', 'again', config, [layer]);
    expect(await inStore(layer)).toBe(true);
    await pulls('gc/held', layer);
    await collect(false);
    await pulls('gc/held', layer);
  }, 120_000);

  it('refuses a push whose layer a collection removed while the push waited for it', async () => {
    const config = randomBlob(700);
    const layer = randomBlob(1700);
    await pushBlob(registry, 'gc/waiting', config);
    await pushBlob(registry, 'gc/waiting', layer);
    // a collection holds the layer exclusively and is about to remove its link
    const collector = await sql.reserve();
    let pushing: Promise<Response>;
    try {
      await collector`begin`;
      await collector`
        select pg_advisory_xact_lock(hashtext('meridian.blob.digest'), hashtext(${layer.digest}))`;
      pushing = putManifest(registry, 'gc/waiting', 'v1', imageManifest(config, [layer]));
      // the push checked nothing yet: it waits for the hold
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await collector`
        delete from blob.repository_blobs where repository = 'gc/waiting' and digest = ${layer.digest}`;
      await collector`commit`;
    } finally {
      collector.release();
    }
    const refused = await pushing;
    expect(refused.status).toBe(400);
    expect(await errorCode(refused)).toBe('MANIFEST_BLOB_UNKNOWN');
    // the client uploads the layer again: the push is stored and pulls whole
    await pushBlob(registry, 'gc/waiting', layer);
    await expectStatus(
      await putManifest(registry, 'gc/waiting', 'v1', imageManifest(config, [layer])),
      201,
    );
    await pulls('gc/waiting', layer);
  }, 120_000);

  it('removes upload leftovers no session owns, once seen by an earlier collection', async () => {
    const orphan = crypto.randomUUID();
    await registry.store.put(`_uploads/${orphan}/data`, Buffer.from('left behind'));
    const open = await startUpload(registry, 'gc/uploads');
    await expectStatus(await registry.request(open, { method: 'PATCH', body: 'in progress' }), 202);
    const first = await collect(false);
    expect(first.progress.uploadLeftoversRemoved).toBe(0);
    // seen long enough ago (the floor is a minute)
    await sql`update blob.upload_leftovers set seen_at = now() - interval '2 minutes'`;
    expect((await collect(false)).progress.uploadLeftoversRemoved).toBe(1);
    const left: string[] = [];
    for await (const key of registry.store.list('_uploads/')) left.push(key);
    expect(left.some((key) => key.includes(orphan))).toBe(false);
    // the open session kept its bytes
    expect(left.length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('answers a second start with the collection that runs, and refuses bad input', async () => {
    // enough blobs that the walk (20 blobs/s here) outlasts the second request
    for (let index = 0; index < 30; index += 1) {
      await pushBlob(registry, 'gc/many', randomBlob(100));
    }
    const first = (await (
      await expectStatus(await callApi(registry, 'POST', '/api/v1/gc', {}), 202)
    ).json()) as GcJobView;
    const second = (await (
      await expectStatus(await callApi(registry, 'POST', '/api/v1/gc', { dryRun: true }), 202)
    ).json()) as GcJobView;
    expect(first.started).toBe(true);
    expect(second).toMatchObject({ id: first.id, started: false, dryRun: false });

    expect((await callApi(registry, 'POST', '/api/v1/gc', { dryRun: 'yes' })).status).toBe(400);
    expect((await callApi(registry, 'POST', '/api/v1/gc', { everything: true })).status).toBe(400);
    expect((await callApi(registry, 'GET', '/api/v1/gc/not-a-job')).status).toBe(400);
    expect((await callApi(registry, 'GET', `/api/v1/gc/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await callApi(registry, 'POST', '/api/v1/gc', {}, ['Reader'])).status).toBe(403);
    expect((await fetch(`${registry.url}/api/v1/gc`, { method: 'POST' })).status).toBe(401);
    await expectEventually(
      async () => {
        const job = (await (
          await callApi(registry, 'GET', `/api/v1/gc/${first.id}`)
        ).json()) as GcJobView;
        expect(job.status).toBe('succeeded');
      },
      { timeoutMs: 30_000 },
    );
  }, 120_000);
});
