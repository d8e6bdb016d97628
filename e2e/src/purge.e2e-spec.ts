/**
 * Purge on demand between two regions (us-east and eu-west), one Meridian for the file:
 * tags pushed by skopeo to us-east and replicated, a dry run in us-east lists the tags it
 * would delete, the real run deletes the same ones, and both regions stop serving them while
 * the tag the filter does not match stays.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, type GeoRegionId, startGeoMeridian } from './support/geo-meridian';

interface PurgeJob {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  items: { repository: string; tag?: string; digest: string; action: string; reason: string }[];
}

const replicationTimeoutMs = 60_000;

describe('purge between two regions', () => {
  let meridian: GeoMeridian;
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-purge-'));
    meridian = await startGeoMeridian('purge');
  }, 360_000);

  afterAll(async () => {
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  let built = 0;
  function buildImage(name: string): Promise<OciLayoutImage> {
    built += 1;
    return buildOciImage(join(work, `${name}-${built}`), {
      tag: 'latest',
      layers: [{ files: { 'data/file': `${name} ${built}\n`.repeat(64) } }],
    });
  }

  async function push(image: OciLayoutImage, reference: string) {
    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions['us-east'].host}/${reference}`,
    ]);
  }

  /** Whether skopeo can read the reference in the region. */
  function served(region: GeoRegionId, reference: string): Promise<boolean> {
    return runCommand('skopeo', [
      'inspect',
      '--tls-verify=false',
      '--creds',
      meridian.creds,
      '--raw',
      `docker://${meridian.regions[region].host}/${reference}`,
    ]).then(
      () => true,
      () => false,
    );
  }

  /** The management API of us-east, as the admin (Basic credentials). */
  async function call(method: string, path: string, expected: number, body?: unknown) {
    const response = await fetch(`http://${meridian.regions['us-east'].host}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(meridian.creds).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    expect({ status: response.status, text }).toMatchObject({ status: expected });
    return JSON.parse(text) as unknown;
  }

  async function purge(body: Record<string, unknown>): Promise<PurgeJob> {
    const { id } = (await call('POST', '/purge', 202, body)) as { id: string };
    return expectEventually(
      async () => {
        const job = (await call('GET', `/purge/${id}`, 200)) as PurgeJob;
        expect(job.status).toBe('succeeded');
        return job;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  it('a dry run lists what the real run deletes, and both regions stop serving it', async () => {
    const [a, b, c] = await Promise.all([buildImage('a'), buildImage('b'), buildImage('c')]);
    await push(a, 'purge/app:pr-1');
    await push(b, 'purge/app:pr-2');
    await push(c, 'purge/app:release');
    await expectEventually(
      async () => {
        for (const tag of ['pr-1', 'pr-2', 'release']) {
          expect(await served('eu-west', `purge/app:${tag}`)).toBe(true);
        }
      },
      { timeoutMs: replicationTimeoutMs, intervalMs: 500 },
    );
    const request = { filters: [{ repository: 'purge/.*', tag: 'pr-.*' }], ago: '0d' };

    const dry = await purge({ ...request, dryRun: true });
    const listed = (job: PurgeJob) =>
      job.items.map((item) => `${item.action} ${item.repository}:${item.tag ?? item.digest}`);
    expect(listed(dry).sort()).toEqual(['deleted purge/app:pr-1', 'deleted purge/app:pr-2']);
    expect(await served('us-east', 'purge/app:pr-1')).toBe(true);

    const real = await purge(request);
    expect(listed(real)).toEqual(listed(dry));

    await expectEventually(
      async () => {
        for (const region of ['us-east', 'eu-west'] as const) {
          expect(await served(region, 'purge/app:pr-1')).toBe(false);
          expect(await served(region, 'purge/app:pr-2')).toBe(false);
        }
      },
      { timeoutMs: replicationTimeoutMs, intervalMs: 500 },
    );
    for (const region of ['us-east', 'eu-west'] as const) {
      expect(await served(region, 'purge/app:release')).toBe(true);
    }
  });
});
