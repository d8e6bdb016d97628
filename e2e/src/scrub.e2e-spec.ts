/**
 * Scrub with repair between two regions (us-east and eu-west), one Meridian for the file: an
 * image pushed by skopeo to us-east and replicated to eu-west's store; one of its layers then
 * replaced by wrong bytes on disk in us-east's store (the embedded default keeps each region's store under
 * <data>/<region>/store, in libs/storage's layout). `meridian scrub --wait` against us-east
 * reports that layer corrupt and repaired from eu-west, and a pull from us-east verifies again.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScrubJob } from '@meridian/contracts';
import { blobKey } from '@meridian/storage';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, type GeoRegionId, startGeoMeridian } from './support/geo-meridian';
import { MeridianCli, buildCli } from './support/meridian-cli';

const replicationTimeoutMs = 60_000;

describe('scrub with repair between two regions', () => {
  let meridian: GeoMeridian;
  let work: string;
  let cli: MeridianCli;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-scrub-'));
    buildCli();
    cli = new MeridianCli(join(work, 'home'));
    await cli.prepare();
    meridian = await startGeoMeridian('scrub');
  }, 360_000);

  afterAll(async () => {
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const storePath = (region: GeoRegionId, digest: string) =>
    join(meridian.dataDir, region, 'store', blobKey(digest));

  function pull(region: GeoRegionId, reference: string, dir: string) {
    return runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      meridian.creds,
      `docker://${meridian.regions[region].host}/${reference}`,
      `dir:${dir}`,
    ]);
  }

  /** Every blob skopeo's dir: transport wrote hashes to its file name. */
  async function expectVerified(dir: string, layers: readonly string[]) {
    const names = await readdir(dir);
    for (const layer of layers) expect(names).toContain(layer.split(':')[1]);
    for (const name of names.filter((file) => /^[0-9a-f]{64}$/.test(file))) {
      const hex = createHash('sha256')
        .update(await readFile(join(dir, name)))
        .digest('hex');
      expect(hex).toBe(name);
    }
  }

  it('reports a layer corrupted in us-east, repairs it from eu-west, and pulls verify', async () => {
    const image: OciLayoutImage = await buildOciImage(join(work, 'image'), {
      tag: 'latest',
      layers: [
        { files: { 'data/one': 'scrub layer one\n'.repeat(4096) } },
        { files: { 'data/two': 'scrub layer two\n'.repeat(4096) } },
      ],
    });
    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions['us-east'].host}/scrub/app:v1`,
    ]);
    const [layer, intact] = image.layerDigests as [string, string];
    // ready in both regions: every layer's bytes in each region's own store
    await expectEventually(
      async () => {
        for (const region of ['us-east', 'eu-west'] as const) {
          for (const digest of image.layerDigests) await stat(storePath(region, digest));
        }
      },
      { timeoutMs: replicationTimeoutMs, intervalMs: 500 },
    );

    const original = await readFile(storePath('us-east', layer));
    const corrupted = Buffer.from(original);
    corrupted[corrupted.length >> 1] ^= 0xff;
    // Another file with wrong bytes takes the layer's name in us-east's store. (In the
    // embedded default the two stores are on one filesystem and replication links eu-west's
    // name to us-east's file: bytes written into that file in place would be wrong in both.)
    await writeFile(`${storePath('us-east', layer)}.corrupt`, corrupted);
    await rename(`${storePath('us-east', layer)}.corrupt`, storePath('us-east', layer));
    await expect(pull('us-east', 'scrub/app:v1', join(work, 'before'))).rejects.toThrow();

    const [username, password] = meridian.creds.split(':') as [string, string];
    const result = await cli.run(
      ['scrub', '--wait', '--registry', meridian.regions['us-east'].host, '--output', 'json'],
      {
        env: { MERIDIAN_USERNAME: username, MERIDIAN_PASSWORD: password },
        timeoutMs: 180_000,
      },
    );
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    const job = JSON.parse(result.stdout) as ScrubJob;
    expect(job.state).toBe('succeeded');
    expect(job.counts).toMatchObject({ corrupt: 1, missing: 0, repaired: 1, unrepairable: 0 });
    expect(job.items).toEqual([
      expect.objectContaining({
        digest: layer,
        problem: 'corrupt',
        action: 'repaired',
        region: 'eu-west',
      }),
    ]);
    expect(job.items.map((item) => item.digest)).not.toContain(intact);
    expect(result.stderr).toContain(`scrub ${job.id} succeeded`);
    expect((await readFile(storePath('us-east', layer))).equals(original)).toBe(true);

    const pulled = join(work, 'after');
    await pull('us-east', 'scrub/app:v1', pulled);
    await expectVerified(pulled, image.layerDigests);

    const shown = await cli.json<ScrubJob>(
      ['scrub', 'show', job.id, '--registry', meridian.regions['us-east'].host],
      { MERIDIAN_USERNAME: username, MERIDIAN_PASSWORD: password },
    );
    expect(shown).toMatchObject({ id: job.id, state: 'succeeded', counts: job.counts });
  });
});
