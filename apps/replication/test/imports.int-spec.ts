/**
 * Imports against real upstreams: CNCF distribution (`docker-registry`) started by the test,
 * without authentication and with htpasswd Basic auth, one of them behind a TCP proxy that
 * stalls mid-transfer. Two regions run their blob, manifest, auth and replication services
 * as processes; an import in us-east is an ordinary push, so it reaches eu-west too.
 * Loopback upstreams are allowed by the operator's settings (MERIDIAN_UPSTREAM_ALLOWED_HOSTS,
 * MERIDIAN_INSECURE_UPSTREAMS), as they must be: nothing allows them by default.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import {
  type ImportJob,
  type ImportRequest,
  acrRpc,
  blobRpc,
  credentialSetRpc,
  importRpc,
  replicationRpc,
} from '@meridian/contracts';
import { computeDigest } from '@meridian/oci';
import { blobKey } from '@meridian/storage';
import {
  DistributionRegistry,
  type RegistryClient,
  TcpProxy,
  expectEventually,
} from '@meridian/testing';
import { type RegionUnderTest, TwoRegions } from './two-regions.harness';

jest.setTimeout(300_000);

const user = { username: 'importer', password: 'upstream-password' };
const mediaTypes = {
  image: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

interface UpstreamImage {
  digest: string;
  size: number;
  blobs: { digest: string; size: number }[];
}

/** Pushes an OCI image of a config and `layerSizes` random layers. */
async function pushImage(
  client: RegistryClient,
  repository: string,
  reference: string,
  layerSizes: number[],
  architecture = 'amd64',
): Promise<UpstreamImage> {
  const config = await client.pushBlob(
    repository,
    JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    mediaTypes.config,
  );
  const layers = [];
  for (const size of layerSizes)
    layers.push(await client.pushBlob(repository, randomBytes(size), mediaTypes.layer));
  const body = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.image, config, layers }),
  );
  await client.putManifest(repository, reference, body, mediaTypes.image);
  return { digest: computeDigest(body), size: body.length, blobs: [config, ...layers] };
}

describe('imports from real upstream registries', () => {
  let regions: TwoRegions;
  let open: DistributionRegistry;
  let locked: DistributionRegistry;
  let proxy: TcpProxy;
  let usEast: RegionUnderTest;
  let image: UpstreamImage;
  let lockedImage: UpstreamImage;

  beforeAll(async () => {
    open = await DistributionRegistry.start();
    locked = await DistributionRegistry.start();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: open.port });
    image = await pushImage(open.client, 'library/app', '1.0', [300_000, 2_000_000]);
    lockedImage = await pushImage(locked.client, 'private/app', '2.0', [500_000]);
    await locked.requireLogin(user);
    regions = await TwoRegions.start('imports', {
      MERIDIAN_INSECURE_UPSTREAMS: [
        open.host,
        locked.host,
        `127.0.0.1:${proxy.port}`,
        `127.0.0.2:${open.port}`,
      ].join(','),
      MERIDIAN_UPSTREAM_ALLOWED_HOSTS: '127.0.0.1',
      MERIDIAN_IMPORT_STALL_TIMEOUT_SECONDS: '1',
      MERIDIAN_IMPORT_RETRY_SECONDS: '0.2',
      MERIDIAN_IMPORT_ATTEMPTS: '3',
    });
    usEast = regions.region('us-east');
  });

  afterAll(async () => {
    await regions?.stop();
    await proxy?.close();
    await open?.dispose();
    await locked?.dispose();
  });

  async function runImport(request: Partial<ImportRequest>): Promise<ImportJob> {
    const { id } = await usEast.client.request(importRpc.start, request as ImportRequest);
    return expectEventually(
      async () => {
        const job = await usEast.client.request(importRpc.get, { id });
        expect(['succeeded', 'failed']).toContain(job.state);
        return job;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  async function storeHas(region: RegionUnderTest, digest: string): Promise<boolean> {
    return (await region.store.stat(blobKey(digest))) !== undefined;
  }

  it('imports an image from distribution under two targets, as a push that reaches every region', async () => {
    const job = await runImport({
      source: `${open.host}/library/app:1.0`,
      target: ['mirror/app:1.0', 'mirror/app:stable'],
    });

    expect(job).toMatchObject({ state: 'succeeded', digest: image.digest, attempts: 1 });
    const total = image.blobs.reduce((sum, blob) => sum + blob.size, 0);
    expect(job.progress).toEqual({
      bytesDone: total,
      bytesTotal: total,
      blobsDone: 3,
      blobsTotal: 3,
      blobsMounted: 0,
    });
    expect(await usEast.resolve('mirror/app', '1.0')).toBe(image.digest);
    expect(await usEast.resolve('mirror/app', 'stable')).toBe(image.digest);
    const euWest = regions.region('eu-west');
    await expectEventually(
      async () => {
        expect(await euWest.resolve('mirror/app', '1.0')).toBe(image.digest);
        const status = await usEast.client.request(replicationRpc.status, {
          repository: 'mirror/app',
          reference: '1.0',
        });
        expect(status.regions.map((region) => region.state)).toEqual(['ready', 'ready']);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    for (const blob of image.blobs) expect(await storeHas(euWest, blob.digest)).toBe(true);
  });

  it('mounts the blobs the store holds instead of fetching them, and copies nothing from a local repository', async () => {
    const again = await runImport({
      source: `${open.host}/library/app@${image.digest}`,
      target: 'second/app:1.0',
    });
    expect(again).toMatchObject({ state: 'succeeded', digest: image.digest });
    expect(again.progress.blobsMounted).toBe(3);

    const local = await runImport({ source: 'mirror/app:1.0', target: 'copy/app' });
    expect(local).toMatchObject({ state: 'succeeded', digest: image.digest });
    expect(local.progress.blobsMounted).toBe(3);
    // without a tag in the target, the source's tag is used
    expect(await usEast.resolve('copy/app', '1.0')).toBe(image.digest);
  });

  it('imports every platform of an index, each child by its digest', async () => {
    const amd64 = await pushImage(open.client, 'library/multi', 'amd64', [10_000], 'amd64');
    const arm64 = await pushImage(open.client, 'library/multi', 'arm64', [10_000], 'arm64');
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaTypes.index,
        manifests: [
          { ...descriptorOf(amd64), platform: { os: 'linux', architecture: 'amd64' } },
          { ...descriptorOf(arm64), platform: { os: 'linux', architecture: 'arm64' } },
        ],
      }),
    );
    await open.client.putManifest('library/multi', 'latest', body, mediaTypes.index);

    const all = await runImport({
      source: `${open.host}/library/multi:latest`,
      target: 'multi/all:latest',
    });
    expect(all).toMatchObject({ state: 'succeeded', digest: computeDigest(body) });
    expect(await usEast.resolve('multi/all', amd64.digest)).toBe(amd64.digest);
    expect(await usEast.resolve('multi/all', arm64.digest)).toBe(arm64.digest);

    const one = await runImport({
      source: `${open.host}/library/multi:latest`,
      target: 'multi/one:latest',
      allPlatforms: false,
      platform: 'linux/arm64',
    });
    expect(one).toMatchObject({ state: 'succeeded', digest: arm64.digest });
    expect(await usEast.resolve('multi/one', amd64.digest)).toBe('MANIFEST_UNKNOWN');
  });

  it('logs in with Basic auth, inline or from a credential set, and says why when it cannot', async () => {
    const source = `${locked.host}/private/app:2.0`;
    const anonymous = await runImport({ source, target: 'private/anonymous:2.0' });
    expect(anonymous).toMatchObject({ state: 'failed', attempts: 1 });
    expect(anonymous.error?.reason).toBe('UPSTREAM_UNAUTHORIZED');
    expect(anonymous.error?.message).toMatch(/username and password/);

    const wrong = await runImport({
      source,
      target: 'private/wrong:2.0',
      credentials: { username: user.username, password: 'not-it' },
    });
    expect(wrong.error?.reason).toBe('UPSTREAM_UNAUTHORIZED');
    expect(await usEast.resolve('private/wrong', '2.0')).toMatch(/UNKNOWN/);

    const inline = await runImport({ source, target: 'private/inline:2.0', credentials: user });
    expect(inline).toMatchObject({ state: 'succeeded', digest: lockedImage.digest });
    expect(JSON.stringify(inline)).not.toContain(user.password);

    const put = await usEast.client.request(credentialSetRpc.put, {
      name: 'upstream-a',
      credentials: user,
    });
    expect(put.created).toBe(true);
    expect(JSON.stringify(put)).not.toContain(user.password);
    const listed = await usEast.client.request(credentialSetRpc.list, {});
    expect(listed.credentialSets).toEqual([
      expect.objectContaining({ name: 'upstream-a', kind: 'password', username: user.username }),
    ]);
    const saved = await runImport({
      source,
      target: 'private/saved:2.0',
      credentialSet: 'upstream-a',
    });
    expect(saved).toMatchObject({ state: 'succeeded', credentialSet: 'upstream-a' });

    await usEast.client.request(credentialSetRpc.delete, { name: 'upstream-a' });
    await expect(
      usEast.client.request(importRpc.start, {
        source,
        target: 'private/gone:2.0',
        credentialSet: 'upstream-a',
        force: false,
        allPlatforms: true,
        platform: 'linux/amd64',
      }),
    ).rejects.toMatchObject({ code: 'RESOURCE_UNKNOWN' });
  });

  it('refuses a corrupted upstream blob: nothing stored at its key, nothing under the target', async () => {
    const victim = await pushImage(open.client, 'library/corrupt', '1', [400_000]);
    const layer = victim.blobs[1]!;
    await writeFile(open.blobFile(layer.digest), randomBytes(layer.size));

    const job = await runImport({
      source: `${open.host}/library/corrupt:1`,
      target: 'corrupt/app:1',
    });
    expect(job.state).toBe('failed');
    expect(job.error?.reason).toBe('DIGEST_MISMATCH');
    expect(await storeHas(usEast, layer.digest)).toBe(false);
    expect(await usEast.resolve('corrupt/app', '1')).toMatch(/UNKNOWN/);
  });

  it('times out an upstream that stalls mid-transfer, retries with backoff, then fails saying why', async () => {
    const big = await pushImage(open.client, 'library/big', '1', [8 * 1024 * 1024]);
    proxy.blackHoleAfter(1024 * 1024);
    try {
      const job = await runImport({
        source: `127.0.0.1:${proxy.port}/library/big:1`,
        target: 'big/app:1',
      });
      expect(job).toMatchObject({ state: 'failed', attempts: 3 });
      expect(job.error?.reason).toBe('UPSTREAM_TIMEOUT');
      expect(job.error?.message).toMatch(/sent nothing for 1 s/);
      expect(await storeHas(usEast, big.blobs[1]!.digest)).toBe(false);
      expect(await usEast.resolve('big/app', '1')).toMatch(/UNKNOWN/);
    } finally {
      proxy.restore();
    }
  });

  it('leaves a tag pointing elsewhere alone without force, and moves it with force', async () => {
    const other = await pushImage(open.client, 'library/other', '1', [1_000]);
    const refused = await runImport({
      source: `${open.host}/library/other:1`,
      target: 'mirror/app:1.0',
    });
    expect(refused.error?.reason).toBe('TAG_EXISTS');
    expect(await usEast.resolve('mirror/app', '1.0')).toBe(image.digest);

    const forced = await runImport({
      source: `${open.host}/library/other:1`,
      target: 'mirror/app:1.0',
      force: true,
    });
    expect(forced.state).toBe('succeeded');
    expect(await usEast.resolve('mirror/app', '1.0')).toBe(other.digest);
  });

  it('leaves a locked target alone: nothing fetched, nothing linked, saying which lock', async () => {
    await usEast.client.request(acrRpc.updateAttributes, {
      repository: 'second/app',
      target: { kind: 'repository' },
      attributes: { writeEnabled: false },
    });
    const other = await pushImage(open.client, 'library/locked', '1', [2_000]);
    const job = await runImport({
      source: `${open.host}/library/locked:1`,
      target: 'second/app:locked',
      force: true,
    });
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job.error).toEqual({
      reason: 'LOCKED',
      message: 'repository second/app is locked: writeEnabled is false',
    });
    expect(await storeHas(usEast, other.blobs[1]!.digest)).toBe(false);
    expect(await usEast.resolve('second/app', 'locked')).toBe('MANIFEST_UNKNOWN');
  });

  it('refuses an image that would take a target past its quota, before fetching it', async () => {
    await usEast.client.request(blobRpc.quotaPut, { repository: 'quota/app', bytes: 100_000 });
    const large = await pushImage(open.client, 'library/large', '1', [200_000]);
    const job = await runImport({ source: `${open.host}/library/large:1`, target: 'quota/app:1' });
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job.error?.reason).toBe('QUOTA_EXCEEDED');
    expect(job.error?.message).toMatch(/past its quota of 100000 bytes/);
    expect(await storeHas(usEast, large.blobs[1]!.digest)).toBe(false);
  });

  it('fails at once on an unknown upstream tag, an address the policy refuses, and plain HTTP to an unlisted host', async () => {
    const missing = await runImport({ source: `${open.host}/library/app:nope`, target: 'x/app:1' });
    expect(missing).toMatchObject({ state: 'failed', attempts: 1 });
    expect(missing.error?.reason).toBe('UPSTREAM_NOT_FOUND');

    const refused = await runImport({
      source: `127.0.0.2:${open.port}/library/app:1.0`,
      target: 'x/app:1',
    });
    expect(refused.error?.reason).toBe('UPSTREAM_REFUSED');
    expect(refused.error?.message).toMatch(/loopback/);

    // not listed as insecure: spoken to over HTTPS only, which a plain HTTP server cannot answer
    const plain = await runImport({
      source: `localhost:${open.port}/library/app:1.0`,
      target: 'x/app:1',
    });
    expect(plain).toMatchObject({ state: 'failed', attempts: 1 });
    expect(plain.error?.message).toMatch(/TLS/);
  });
});

function descriptorOf(image: UpstreamImage) {
  return { mediaType: mediaTypes.image, digest: image.digest, size: image.size };
}
