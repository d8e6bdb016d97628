/**
 * Soft delete across the default two regions (us-east and eu-west), one Meridian for the
 * file, with skopeo and the `meridian` CLI: soft delete turned on in us-east (and so in both
 * regions), an image skopeo pushed to us-east and then deleted is listed as deleted in BOTH
 * regions, restored in eu-west, and pulls with its tag again in both regions with the digest
 * it was pushed with. ACR cannot combine soft delete with geo-replication (Azure/acr#492).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '@meridian/oci';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import {
  type GeoMeridian,
  type GeoRegionId,
  geoRegions,
  startGeoMeridian,
} from './support/geo-meridian';
import { MeridianCli, buildCli } from './support/meridian-cli';

const settleTimeoutMs = 60_000;
const repository = 'softdelete/app';

interface Deleted {
  digest: string;
  tags: string[];
}

describe('soft delete and restore across two regions', () => {
  let meridian: GeoMeridian;
  let work: string;
  let cli: MeridianCli;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-soft-delete-'));
    buildCli();
    cli = new MeridianCli(join(work, 'home'));
    await cli.prepare();
    meridian = await startGeoMeridian('soft-delete');
  }, 360_000);

  afterAll(async () => {
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** `meridian … --output json` against a region, as the admin (environment credentials). */
  function meridianIn<T>(region: GeoRegionId, ...args: string[]): Promise<T> {
    const [username, password] = meridian.creds.split(/:(.*)/s);
    return cli.json<T>([...args, '--registry', meridian.regions[region].url], {
      MERIDIAN_USERNAME: username,
      MERIDIAN_PASSWORD: password,
    });
  }

  function skopeo(args: readonly string[]) {
    return runCommand('skopeo', ['--insecure-policy', ...args]);
  }

  /** The manifest skopeo reads for the reference in the region, or undefined when not served. */
  async function served(region: GeoRegionId, reference: string): Promise<Buffer | undefined> {
    const docker = `docker://${meridian.regions[region].host}/${reference}`;
    return skopeo(['inspect', '--tls-verify=false', '--creds', meridian.creds, '--raw', docker])
      .then((result) => result.stdoutBytes)
      .catch(() => undefined);
  }

  /** Pulls the whole image (every blob, read and verified) into a fresh OCI layout. */
  async function pull(region: GeoRegionId, reference: string): Promise<void> {
    const dir = await mkdtemp(join(work, 'pulled-'));
    await skopeo([
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      meridian.creds,
      `docker://${meridian.regions[region].host}/${reference}`,
      `oci:${dir}:pulled`,
    ]);
  }

  it('an image deleted in us-east is listed in both regions, restored in eu-west, and pulls again in both', async () => {
    const image: OciLayoutImage = await buildOciImage(join(work, 'image'), {
      tag: 'latest',
      layers: [{ files: { 'data/file': 'soft delete\n'.repeat(512) } }],
    });

    // the setting replicates: on in both regions
    await expect(
      meridianIn(
        'us-east',
        'config',
        'soft-delete',
        'update',
        '--enabled',
        '--retention-days',
        '7',
      ),
    ).resolves.toEqual({ enabled: true, retentionDays: 7 });
    await expectEventually(
      async () =>
        expect(await meridianIn('eu-west', 'config', 'soft-delete', 'show')).toEqual({
          enabled: true,
          retentionDays: 7,
        }),
      { timeoutMs: settleTimeoutMs, intervalMs: 250 },
    );

    await skopeo([
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions['us-east'].host}/${repository}:v1`,
    ]);
    for (const region of geoRegions)
      await expectEventually(
        async () => expect(await served(region, `${repository}:v1`)).toBeDefined(),
        { timeoutMs: settleTimeoutMs, intervalMs: 250 },
      );

    await meridian.regions['us-east'].client.expect(
      'DELETE',
      `/v2/${repository}/manifests/${image.manifestDigest}`,
      [202],
    );

    // each region keeps its own restorable copy: listed in both, served by neither
    for (const region of geoRegions)
      await expectEventually(
        async () => {
          const listed = await meridianIn<Deleted[]>(
            region,
            'deleted',
            'list',
            '--repository',
            repository,
          );
          expect(listed.map(({ digest, tags }) => ({ digest, tags }))).toEqual([
            { digest: image.manifestDigest, tags: ['v1'] },
          ]);
          expect(await served(region, `${repository}:v1`)).toBeUndefined();
        },
        { timeoutMs: settleTimeoutMs, intervalMs: 250 },
      );

    await expect(
      meridianIn('eu-west', 'deleted', 'restore', `${repository}@${image.manifestDigest}`),
    ).resolves.toMatchObject({ digest: image.manifestDigest, tags: ['v1'], skippedTags: [] });

    // the restore replicates like a push: the tag pulls in both regions, with the same digest
    for (const region of geoRegions) {
      await expectEventually(
        async () => {
          const manifest = await served(region, `${repository}:v1`);
          expect(manifest && sha256Digest(manifest)).toBe(image.manifestDigest);
        },
        { timeoutMs: settleTimeoutMs, intervalMs: 250 },
      );
      await pull(region, `${repository}:v1`);
      await expectEventually(
        async () =>
          expect(
            await meridianIn<Deleted[]>(region, 'deleted', 'list', '--repository', repository),
          ).toEqual([]),
        { timeoutMs: settleTimeoutMs, intervalMs: 250 },
      );
    }
  });
});
