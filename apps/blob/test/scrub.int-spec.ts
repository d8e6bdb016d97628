/**
 * Scrub against real Postgres and each store driver (a filesystem directory, a Ceph RGW
 * bucket): blobs pushed through the blob service, one's bytes then corrupted and another's
 * deleted directly in the store; a scrub reports exactly those two, at the configured rate.
 * No replication service runs here, so a repair cannot be asked for: the job says so and
 * counts them unrepairable. Repairs from a peer are proven in
 * apps/replication/test/blob-repairer.int-spec.ts and e2e/src/scrub.e2e-spec.ts.
 */
import { randomBytes } from 'node:crypto';
import { type ScrubJob, type ScrubRequest, scrubRpc } from '@meridian/contracts';
import { blobKey } from '@meridian/storage';
import {
  type S3Server,
  expectEventually,
  startOrReuseCephRgw,
  uniqueBucketName,
} from '@meridian/testing';
import type { BlobConfig } from '../src/config';
import { pushBlob } from './push-blob';
import { type BlobServiceUnderTest, startBlobService } from './start-blob-service';

jest.setTimeout(120_000);

const MiB = 1024 * 1024;
const rate = MiB;

let rgw: S3Server | undefined;

afterAll(async () => {
  await rgw?.stop();
});

const stores: [string, () => Promise<BlobConfig['storage'] | undefined>][] = [
  ['a filesystem store', async () => undefined],
  [
    'an S3 store (Ceph RGW)',
    async () => {
      rgw ??= await startOrReuseCephRgw();
      return {
        driver: 's3',
        endpoint: rgw.endpoint,
        region: rgw.region,
        accessKeyId: rgw.accessKeyId,
        secretAccessKey: rgw.secretAccessKey,
        bucket: uniqueBucketName('scrub'),
        forcePathStyle: true,
        redirect: false,
      };
    },
  ],
];

describe.each(stores)('scrub with %s', (_name, storage) => {
  let service: BlobServiceUnderTest;

  beforeAll(async () => {
    const config = await storage();
    service = await startBlobService({
      scrubBytesPerSecond: rate,
      ...(config ? { storage: config } : {}),
    });
  });

  afterAll(async () => {
    await service?.stop();
  });

  async function scrub(request: Partial<ScrubRequest>): Promise<ScrubJob> {
    const started = await service.client.request(scrubRpc.start, { repair: true, ...request });
    return expectEventually(
      async () => {
        const job = await service.client.request(scrubRpc.get, { id: started.id });
        expect(job.state).toBe('succeeded');
        return job;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  it('reports exactly the blob corrupted and the blob deleted in the store', async () => {
    const big = await pushBlob(service, 'team/app', [randomBytes(2 * MiB), randomBytes(MiB)]);
    const corrupted = await pushBlob(service, 'team/app', [randomBytes(4096)]);
    const deleted = await pushBlob(service, 'team/app', [randomBytes(1000)]);
    const other = await pushBlob(service, 'other/app', [randomBytes(2000)]);
    // one byte flipped, as bit rot would: same size, another hash
    const chunks: Buffer[] = [];
    for await (const chunk of await service.store.read(blobKey(corrupted.digest))) {
      chunks.push(chunk as Buffer);
    }
    const bytes = Buffer.concat(chunks);
    bytes[100] = bytes[100]! ^ 0xff;
    await service.store.put(blobKey(corrupted.digest), bytes);
    await service.store.delete(blobKey(deleted.digest));

    const job = await scrub({ repair: false });

    const total = [big, corrupted, deleted, other].reduce((sum, blob) => sum + blob.size, 0);
    expect(job.progress).toEqual({
      blobsChecked: 4,
      blobsTotal: 4,
      bytesChecked: total,
      bytesTotal: total,
    });
    expect(job.counts).toEqual({ ok: 2, corrupt: 1, missing: 1, repaired: 0, unrepairable: 0 });
    expect(job.items.map(({ digest, problem, action }) => ({ digest, problem, action }))).toEqual(
      [
        { digest: corrupted.digest, problem: 'corrupt', action: 'reported' },
        { digest: deleted.digest, problem: 'missing', action: 'reported' },
      ].sort((a, b) => (a.digest < b.digest ? -1 : 1)),
    );
    expect(job.items.find((item) => item.problem === 'corrupt')?.found).toMatch(
      /^bytes hash to sha256:[0-9a-f]{64} \(4096 bytes\), expected 4096 bytes$/,
    );
    // a bounded rate: 3 MiB and a little at 1 MiB/s, a second of it at once, takes 2 s at least
    const tookMs = Date.parse(job.finishedTime!) - Date.parse(job.createdTime);
    expect(tookMs).toBeGreaterThanOrEqual(1_900);

    const scoped = await scrub({ repository: 'other/app', repair: false });
    expect(scoped.progress).toMatchObject({ blobsChecked: 1, bytesChecked: other.size });
    expect(scoped.items).toEqual([]);

    // no replication service answers here: the repair cannot be asked for, and the job says so
    const repairing = await scrub({ repository: 'team/app' });
    expect(repairing.counts).toMatchObject({ corrupt: 1, missing: 1, unrepairable: 2 });
    for (const item of repairing.items) {
      expect(item).toMatchObject({ action: 'unrepairable' });
      expect(item.detail).toContain('the repair could not be asked for');
    }
  });

  it('answers a second start with the job under way, and an unknown job with RESOURCE_UNKNOWN', async () => {
    await pushBlob(service, 'slow/app', [randomBytes(3 * MiB)]);
    const first = await service.client.request(scrubRpc.start, { repair: false });
    const second = await service.client.request(scrubRpc.start, {
      repository: 'slow/app',
      repair: true,
    });
    expect(second.id).toBe(first.id);
    expect(['queued', 'running']).toContain(second.state);
    await expectEventually(
      async () => {
        const job = await service.client.request(scrubRpc.get, { id: first.id });
        expect(job.state).toBe('succeeded');
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    await expect(
      service.client.request(scrubRpc.get, { id: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ code: 'RESOURCE_UNKNOWN' });
  });
});
