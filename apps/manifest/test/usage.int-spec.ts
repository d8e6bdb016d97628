import { manifestRpc } from '@meridian/contracts';
import { buildBlob, buildOciIndex, buildOciManifest } from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

describe('manifest service: usage', () => {
  let sut: ManifestServiceHarness;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_usage');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const usage = async (repository?: string) =>
    (await sut.client.request(manifestRpc.usage, repository === undefined ? {} : { repository }))
      .repositories;

  const config = buildBlob('usage config');
  const shared = buildBlob('a layer both repositories have');
  const first = buildBlob('first layer');
  const second = buildBlob('second layer of them');
  const other = buildBlob('the other repository own layer');

  it('counts the distinct blobs a repository references, once per repository, with its counts', async () => {
    const one = buildOciManifest({ config, layers: [shared, first] });
    const two = buildOciManifest({ config, layers: [shared, second, second] });
    await sut.push('usage/app', one, 'v1');
    await sut.push('usage/app', two, 'v2');
    await sut.push('usage/app', two, 'latest');
    await sut.push('usage/other', buildOciManifest({ config, layers: [shared, other] }), 'v1');
    // an index references manifests, not blobs: it adds a manifest and no bytes
    const index = buildOciIndex([one, two]);
    await sut.push('usage/app', index, 'multi');

    const size = (...blobs: { size: number }[]) => blobs.reduce((sum, blob) => sum + blob.size, 0);
    await expect(usage('usage/app')).resolves.toEqual([
      {
        repository: 'usage/app',
        sizeBytes: size(config, shared, first, second),
        manifestCount: 3,
        tagCount: 4,
      },
    ]);
    await expect(usage('usage/other')).resolves.toEqual([
      {
        repository: 'usage/other',
        sizeBytes: size(config, shared, other),
        manifestCount: 1,
        tagCount: 1,
      },
    ]);

    // deleting a manifest releases the blobs only it referenced, and its tags
    await sut.client.request(manifestRpc.delete, {
      repository: 'usage/app',
      reference: index.digest,
    });
    await sut.client.request(manifestRpc.delete, {
      repository: 'usage/app',
      reference: one.digest,
    });
    await expect(usage('usage/app')).resolves.toEqual([
      {
        repository: 'usage/app',
        sizeBytes: size(config, shared, second),
        manifestCount: 1,
        tagCount: 2,
      },
    ]);
    // a tag delete leaves the manifest and its size
    await sut.client.request(manifestRpc.delete, { repository: 'usage/app', reference: 'latest' });
    await expect(usage('usage/app')).resolves.toMatchObject([
      { sizeBytes: size(config, shared, second), manifestCount: 1, tagCount: 1 },
    ]);
  });

  it('lists every repository; a deleted one is gone, and asking for it is NAME_UNKNOWN', async () => {
    await sut.push('usage/doomed', buildOciManifest({ config, layers: [first] }), 'v1');
    expect((await usage()).map((row) => row.repository)).toEqual(
      expect.arrayContaining(['usage/app', 'usage/doomed', 'usage/other']),
    );

    await sut.client.request(manifestRpc.deleteRepository, { repository: 'usage/doomed' });
    expect((await usage()).map((row) => row.repository)).not.toContain('usage/doomed');
    await expect(usage('usage/doomed')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });

    // pushed again, it starts from nothing
    await sut.push('usage/doomed', buildOciManifest({ config, layers: [second] }), 'v1');
    await expect(usage('usage/doomed')).resolves.toEqual([
      {
        repository: 'usage/doomed',
        sizeBytes: config.size + second.size,
        manifestCount: 1,
        tagCount: 1,
      },
    ]);
  });

  it('keeps totals that match a count from scratch', async () => {
    const counted = await sut.sql<{ repository: string; manifests: string; tags: string }[]>`
      select r.name as repository,
        (select count(*) from manifest.manifests m where m.repository = r.name) as manifests,
        (select count(*) from manifest.tags t where t.repository = r.name) as tags
      from manifest.repositories r order by r.name`;
    expect(
      (await usage()).map(({ repository, manifestCount, tagCount }) => ({
        repository,
        manifests: String(manifestCount),
        tags: String(tagCount),
      })),
    ).toEqual(counted);
  });
});
