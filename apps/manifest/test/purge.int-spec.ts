import { type PurgeJob, type PurgeRequest, acrRpc, purgeRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { type BuiltManifest, buildArtifact, buildBlob, buildOciManifest } from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

describe('manifest service: purge jobs', () => {
  let sut: ManifestServiceHarness;
  let n = 0;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_purge');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const image = (): BuiltManifest => buildOciManifest({ layers: [buildBlob(`purge ${n++}`)] });
  const context = { context: { request: { id: 'req-purge' }, actor: { name: 'owner' } } };

  /** Ages what the repository holds by `days`, as if it had been pushed and tagged then. */
  async function age(repository: string, days: number, tags?: string[]) {
    const interval = `${days} days`;
    await sut.sql`
      update manifest.tags set updated_at = now() - ${interval}::interval
      where repository = ${repository} ${tags ? sut.sql`and name in ${sut.sql(tags)}` : sut.sql``}`;
    if (tags) return;
    await sut.sql`
      update manifest.manifests set created_at = now() - ${interval}::interval
      where repository = ${repository}`;
  }

  async function purge(request: Partial<PurgeRequest> & Pick<PurgeRequest, 'filters'>) {
    const started = await sut.client.request(
      purgeRpc.start,
      { ago: '30d', untagged: false, keep: 0, dryRun: false, ...request },
      context,
    );
    expect(started.status).toBe('running');
    return expectEventually(
      async () => {
        const job = await sut.client.request(purgeRpc.get, { id: started.id });
        expect(job.status).not.toBe('running');
        return job;
      },
      { timeoutMs: 15_000 },
    );
  }

  const decisions = (job: PurgeJob) =>
    job.items.map((item) => `${item.action} ${item.kind} ${item.tag ?? item.digest}`);

  it('a dry run reports what the real run then deletes, through the ordinary deletes', async () => {
    const repository = 'purge/app';
    const [a, b, c, d] = [image(), image(), image(), image()];
    const signature = buildArtifact({ artifactType: 'application/vnd.dev.sig', subject: c });
    await sut.push(repository, a, 'v1');
    await sut.push(repository, b, 'v2');
    await sut.push(repository, c, 'v3');
    await sut.push(repository, d, 'latest');
    await sut.push(repository, signature);
    await age(repository, 40);
    await age(repository, 50, ['v1']);
    await age(repository, 45, ['v2']);
    await age(repository, 1, ['latest']);
    await sut.push('purge/other', image(), 'v1');
    await age('purge/other', 40);
    const request = {
      filters: [{ repository: 'purge/app', tag: 'v.*' }],
      keep: 1,
      untagged: true,
    };

    const dry = await purge({ ...request, dryRun: true });
    expect(dry.status).toBe('succeeded');
    expect(decisions(dry)).toEqual([
      'kept tag v3',
      'deleted tag v2',
      'deleted tag v1',
      ...[a.digest, b.digest].sort().map((digest) => `deleted manifest ${digest}`),
    ]);
    expect(await sut.tagsOf(repository)).toEqual({
      latest: d.digest,
      v1: a.digest,
      v2: b.digest,
      v3: c.digest,
    });

    const real = await purge(request);
    expect(real.status).toBe('succeeded');
    // the same items for the same reasons (each job has its own cut-off)
    const withoutCutoff = (job: PurgeJob) =>
      job.items.map((item) => ({ ...item, reason: item.reason.replace(/, before .*$/, '') }));
    expect(withoutCutoff(real)).toEqual(withoutCutoff(dry));
    expect(real.progress).toMatchObject({
      repositoriesMatched: 1,
      repositoriesDone: 1,
      tagsDeleted: 2,
      manifestsDeleted: 2,
      kept: 1,
    });
    expect(await sut.tagsOf(repository)).toEqual({ latest: d.digest, v3: c.digest });
    expect(await sut.manifestsOf(repository)).toEqual(
      [c.digest, d.digest, signature.digest].sort(),
    );
    expect(Object.keys(await sut.tagsOf('purge/other'))).toEqual(['v1']);
    await expectEventually(() => {
      const deletedTags = sut.eventsNamed('tag.deleted.v1').map((e) => e.payload.tag);
      expect(deletedTags).toEqual(expect.arrayContaining(['v1', 'v2']));
      const deleted = sut.eventsNamed('manifest.deleted.v1').map((e) => e.payload.digest);
      expect(deleted).toEqual(expect.arrayContaining([a.digest, b.digest]));
    });
  });

  it('deletes an untagged manifest with its referrers', async () => {
    const repository = 'purge/referred';
    const subject = image();
    const sbom = buildArtifact({ artifactType: 'application/spdx+json', subject });
    await sut.push(repository, subject);
    await sut.push(repository, sbom);
    await age(repository, 40);

    const job = await purge({ filters: [{ repository, tag: '.*' }], untagged: true });

    expect(decisions(job)).toEqual([
      `deleted manifest ${sbom.digest}`,
      `deleted manifest ${subject.digest}`,
    ]);
    expect(await sut.manifestsOf(repository)).toEqual([]);
  });

  it('skips what is locked, and keeps the manifest a locked tag points to', async () => {
    const repository = 'purge/locked';
    const [a, b] = [image(), image()];
    await sut.push(repository, a, 'v1');
    await sut.push(repository, b, 'v2');
    await age(repository, 40);
    await sut.client.request(
      acrRpc.updateAttributes,
      { repository, target: { kind: 'tag', tag: 'v1' }, attributes: { deleteEnabled: false } },
      context,
    );

    const job = await purge({ filters: [{ repository, tag: '.*' }], untagged: true });

    expect(decisions(job)).toEqual([
      'skipped tag v1',
      'deleted tag v2',
      `deleted manifest ${b.digest}`,
    ]);
    expect(job.items[0]?.reason).toBe('locked: deleteEnabled is false on the tag');
    expect(await sut.tagsOf(repository)).toEqual({ v1: a.digest });
  });

  it('answers RESOURCE_UNKNOWN for a job that does not exist', async () => {
    await expect(
      sut.client.request(purgeRpc.get, { id: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({ code: 'RESOURCE_UNKNOWN' });
  });
});
