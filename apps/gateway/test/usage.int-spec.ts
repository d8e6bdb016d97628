/**
 * Usage and quotas through the gateway, with the real blob, manifest and webhook services:
 * `GET /api/v1/usage` after pushes and deletes (a layer two repositories share counted once
 * in the store and once in each), `/api/v1/quotas/{repository}` with its refusals, an upload
 * past a quota refused with nothing linked, and the `quota` webhook told of the crossing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectEventually } from '@meridian/testing';
import {
  type Blob,
  blobOf,
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

const storeQuota = 10_000_000;

interface UsageView {
  region: string;
  bytes: number;
  blobCount: number;
  manifestCount: number;
  quotaBytes?: number;
  repositories: Array<{
    name: string;
    sizeBytes: number;
    manifestCount: number;
    tagCount: number;
    uploadedBytes: number;
    quotaBytes?: number;
  }>;
}

describe('usage and quotas at the gateway', () => {
  let registry: RegistryUnderTest;
  const received: Array<Record<string, unknown>> = [];
  const closeReceiver: Array<() => Promise<unknown>> = [];
  let receiverUrl: string;

  beforeAll(async () => {
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push(
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        );
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    closeReceiver.push(() => new Promise((done) => receiver.close(done)));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    registry = await startRegistry({
      moreServices: ['webhook'],
      servicesEnv: {
        MERIDIAN_STORAGE_QUOTA_BYTES: String(storeQuota),
        MERIDIAN_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      },
    });
  }, 180_000);

  afterAll(async () => {
    await registry?.stop();
    for (const close of closeReceiver) await close();
  });

  async function usage(): Promise<UsageView> {
    return (await (
      await expectStatus(await callApi(registry, 'GET', '/api/v1/usage'), 200)
    ).json()) as UsageView;
  }

  const repositoryIn = (view: UsageView, name: string) =>
    view.repositories.find((row) => row.name === name);

  /** Pushes the blobs, then a manifest of them under `tag`. */
  async function pushImageOf(name: string, tag: string, config: Blob, layers: Blob[]) {
    for (const blob of [config, ...layers]) await pushBlob(registry, name, blob);
    const manifest = imageManifest(config, layers);
    await expectStatus(await putManifest(registry, name, tag, manifest), 201);
    return manifest;
  }

  it('answers registry readers only', async () => {
    expect((await fetch(`${registry.url}/api/v1/usage`)).status).toBe(401);
    expect((await callApi(registry, 'GET', '/api/v1/usage', undefined, ['Reader'])).status).toBe(
      200,
    );
    expect(
      (await callApi(registry, 'GET', '/api/v1/usage', undefined, ['SomethingElse'])).status,
    ).toBe(403);
  });

  it('counts a layer two repositories share once in the store and once in each', async () => {
    const before = await usage();
    const shared = randomBlob(4096);
    const own = randomBlob(1000);
    const configOne = blobOf('{"architecture":"amd64","os":"linux","n":1}');
    const configTwo = blobOf('{"architecture":"arm64","os":"linux","n":2}');
    const one = await pushImageOf('usage/one', 'v1', configOne, [shared]);
    await expectStatus(await putManifest(registry, 'usage/one', 'latest', one), 201);
    await pushImageOf('usage/two', 'v1', configTwo, [shared, own]);

    const after = await usage();
    expect(after).toMatchObject({ region: 'us-east', quotaBytes: storeQuota });
    expect(after.bytes - before.bytes).toBe(
      shared.size + own.size + configOne.size + configTwo.size,
    );
    expect(after.blobCount - before.blobCount).toBe(4);
    expect(after.manifestCount - before.manifestCount).toBe(2);
    expect(repositoryIn(after, 'usage/one')).toEqual({
      name: 'usage/one',
      sizeBytes: configOne.size + shared.size,
      manifestCount: 1,
      tagCount: 2,
      uploadedBytes: configOne.size + shared.size,
    });
    expect(repositoryIn(after, 'usage/two')).toEqual({
      name: 'usage/two',
      sizeBytes: configTwo.size + shared.size + own.size,
      manifestCount: 1,
      tagCount: 1,
      uploadedBytes: configTwo.size + shared.size + own.size,
    });

    // deleting the manifest empties the repository's size; the bytes stay until GC
    await expectStatus(
      await registry.request(`/v2/usage/one/manifests/${one.digest}`, { method: 'DELETE' }),
      202,
    );
    const deleted = await usage();
    expect(repositoryIn(deleted, 'usage/one')).toMatchObject({
      sizeBytes: 0,
      manifestCount: 0,
      tagCount: 0,
    });
    expect(repositoryIn(deleted, 'usage/two')?.sizeBytes).toBe(
      configTwo.size + shared.size + own.size,
    );
    expect(deleted.bytes).toBe(after.bytes);
    expect(deleted.manifestCount).toBe(after.manifestCount - 1);
  });

  it('refuses bad quotas with 400 and unknown repositories with 404, changing nothing', async () => {
    await pushImageOf('quota/bad', 'v1', blobOf('{"n":"bad"}'), [randomBlob(100)]);
    for (const body of [{ bytes: -1 }, { bytes: 1.5 }, { bytes: '10' }, {}, { bytes: 10, x: 1 }]) {
      const refused = await callApi(registry, 'PUT', '/api/v1/quotas/quota/bad', body);
      expect({ body, status: refused.status }).toEqual({ body, status: 400 });
      expect(await errorCode(refused)).toBe('REQUEST_INVALID');
    }
    const unknown = await callApi(registry, 'PUT', '/api/v1/quotas/no/such/repository', {
      bytes: 10,
    });
    expect(unknown.status).toBe(404);
    expect(await errorCode(unknown)).toBe('NAME_UNKNOWN');
    expect((await callApi(registry, 'GET', '/api/v1/quotas/no/such/repository')).status).toBe(404);
    const invalid = await callApi(registry, 'PUT', '/api/v1/quotas/Quota/Bad', { bytes: 10 });
    expect(invalid.status).toBe(400);
    expect(await errorCode(invalid)).toBe('NAME_INVALID');
    // a Reader may look, not set
    expect(
      (await callApi(registry, 'PUT', '/api/v1/quotas/quota/bad', { bytes: 10 }, ['Reader']))
        .status,
    ).toBe(403);
    await expect(
      (await expectStatus(await callApi(registry, 'GET', '/api/v1/quotas/quota/bad'), 200)).json(),
    ).resolves.toEqual({ repository: 'quota/bad', bytes: null });
  });

  it('refuses an upload past a repository quota with nothing linked, and tells the quota webhook', async () => {
    const name = 'quota/app';
    await expectStatus(
      await callApi(registry, 'PUT', '/api/v1/webhooks/quotahook', {
        serviceUri: receiverUrl,
        actions: ['quota'],
      }),
      201,
    );
    await pushImageOf(name, 'v1', blobOf('{"n":"app"}'), [randomBlob(500)]);
    const uploaded = repositoryIn(await usage(), name)!.uploadedBytes;
    const quota = uploaded + 1000;
    await expect(
      (
        await expectStatus(
          await callApi(registry, 'PUT', `/api/v1/quotas/${name}`, { bytes: quota }),
          200,
        )
      ).json(),
    ).resolves.toEqual({ repository: name, bytes: quota });

    await pushBlob(registry, name, randomBlob(900)); // past 80%
    await expectEventually(() =>
      expect(received).toContainEqual(
        expect.objectContaining({
          action: 'quota',
          region: 'us-east',
          target: { repository: name },
          quota: {
            scope: 'repository',
            threshold: 80,
            usedBytes: uploaded + 900,
            quotaBytes: quota,
          },
        }),
      ),
    );

    // a whole blob in one POST says its size: refused before it is read
    const tooBig = randomBlob(101);
    const atStart = await registry.request(`/v2/${name}/blobs/uploads/?digest=${tooBig.digest}`, {
      method: 'POST',
      body: tooBig.bytes,
    });
    expect(atStart.status).toBe(403);
    const startBody = (await atStart.json()) as {
      errors: Array<{ code: string; message: string }>;
    };
    expect(startBody.errors[0]).toMatchObject({ code: 'DENIED' });
    expect(startBody.errors[0]!.message).toContain(
      `repository ${name} past its quota (${quota} bytes)`,
    );

    // a chunked upload is refused once its digest is verified, before the blob is linked
    const location = await startUpload(registry, name);
    const atCompletion = await registry.request(`${location}?digest=${tooBig.digest}`, {
      method: 'PUT',
      body: tooBig.bytes,
    });
    expect(atCompletion.status).toBe(403);
    expect(await errorCode(atCompletion)).toBe('DENIED');
    expect(
      (await registry.request(`/v2/${name}/blobs/${tooBig.digest}`, { method: 'HEAD' })).status,
    ).toBe(404);
    expect(repositoryIn(await usage(), name)).toMatchObject({
      uploadedBytes: uploaded + 900,
      quotaBytes: quota,
    });

    // reaching the quota exactly is allowed, and told once
    await pushBlob(registry, name, randomBlob(100));
    await expectEventually(() =>
      expect(received).toContainEqual(
        expect.objectContaining({
          action: 'quota',
          quota: expect.objectContaining({ threshold: 100, usedBytes: quota }),
        }),
      ),
    );
    expect(received.filter((body) => body['action'] === 'quota')).toHaveLength(2);
  });
});
