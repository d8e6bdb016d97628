import { manifestRpc } from '@meridian/contracts';
import { mediaTypes } from '@meridian/oci';
import { expectEventually } from '@meridian/testing';
import { buildArtifact, buildBlob, buildOciIndex, buildOciManifest } from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

describe('manifest service: tags, catalog, referrers, repositories', () => {
  let sut: ManifestServiceHarness;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_listings');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const tags = (repository: string, page: { n?: number; last?: string } = {}) =>
    sut.client.request(manifestRpc.tags, { repository, ...page });
  const catalog = (page: { n?: number; last?: string } = {}) =>
    sut.client.request(manifestRpc.catalog, page);
  const referrers = (repository: string, digest: string, artifactType?: string) =>
    sut.client.request(manifestRpc.referrers, { repository, digest, artifactType });

  describe('tags', () => {
    const repository = 'paging/tags';
    // byte order: digits, then uppercase, then `_`, then lowercase
    const ordered = ['1.0', '10', '2', 'Latest', 'V2', '_internal', 'latest', 'v1', 'v1.1', 'v10'];

    beforeAll(async () => {
      const manifest = buildOciManifest({ layers: [buildBlob('tagged')] });
      for (const tag of [...ordered].reverse()) await sut.push(repository, manifest, tag);
    });

    it('lists every tag in byte order when n is absent', async () => {
      await expect(tags(repository)).resolves.toEqual({
        name: repository,
        tags: ordered,
        more: false,
      });
    });

    it('pages through with n and last, saying whether more follow', async () => {
      await expect(tags(repository, { n: 3 })).resolves.toMatchObject({
        tags: ordered.slice(0, 3),
        more: true,
      });
      await expect(tags(repository, { n: 3, last: '2' })).resolves.toMatchObject({
        tags: ['Latest', 'V2', '_internal'],
        more: true,
      });
      await expect(tags(repository, { n: 3, last: 'latest' })).resolves.toMatchObject({
        tags: ['v1', 'v1.1', 'v10'],
        more: false,
      });
    });

    it('answers no more when n reaches the last tag exactly, and nothing after the last one', async () => {
      await expect(tags(repository, { n: ordered.length })).resolves.toMatchObject({
        tags: ordered,
        more: false,
      });
      await expect(tags(repository, { n: ordered.length - 1 })).resolves.toMatchObject({
        more: true,
      });
      await expect(tags(repository, { last: 'v10' })).resolves.toMatchObject({
        tags: [],
        more: false,
      });
      await expect(tags(repository, { last: 'zzz' })).resolves.toMatchObject({
        tags: [],
        more: false,
      });
    });

    it('starts after a `last` that is not itself a tag', async () => {
      await expect(tags(repository, { n: 2, last: 'a' })).resolves.toMatchObject({
        tags: ['latest', 'v1'],
        more: true,
      });
    });

    it('answers NAME_UNKNOWN for a repository that does not exist', async () => {
      await expect(tags('no/such')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    });

    it('lists no tags for a repository whose manifests were all deleted', async () => {
      const emptied = 'paging/emptied';
      const manifest = buildOciManifest({ layers: [buildBlob('emptied')] });
      await sut.push(emptied, manifest, 'v1');
      await sut.delete(emptied, manifest.digest);
      await expect(tags(emptied)).resolves.toEqual({ name: emptied, tags: [], more: false });
    });
  });

  describe('catalog and repository deletion', () => {
    it('pages repository names in byte order', async () => {
      for (const name of ['zeta/app', 'alpha/z', 'alpha/a', 'alpha-b/x', 'alpha_c/x']) {
        await sut.push(name, buildOciManifest({ layers: [buildBlob(`catalog ${name}`)] }), 'v1');
      }
      const all = (await catalog()).repositories;
      expect(all).toEqual([...all].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
      expect(all.filter((name) => name.startsWith('alpha'))).toEqual([
        'alpha-b/x',
        'alpha/a',
        'alpha/z',
        'alpha_c/x',
      ]);

      const pages: string[][] = [];
      let page = await catalog({ n: 2 });
      pages.push(page.repositories);
      while (page.more) {
        page = await catalog({ n: 2, last: page.repositories.at(-1)! });
        pages.push(page.repositories);
      }
      expect(pages.flat()).toEqual(all);
      expect(pages.slice(0, -1).every((names) => names.length === 2)).toBe(true);
      await expect(catalog({ last: all.at(-1)! })).resolves.toEqual({
        repositories: [],
        more: false,
      });
    });

    it('deletes a repository with its manifests and tags, and announces it', async () => {
      const repository = 'doomed/repo';
      const manifest = buildOciManifest({ layers: [buildBlob('doomed repo')] });
      const other = buildOciManifest({ layers: [buildBlob('doomed repo 2')] });
      await sut.push(repository, manifest, 'v1');
      await sut.push(repository, other, 'v2');

      await expect(
        sut.client.request(manifestRpc.deleteRepository, { repository }),
      ).resolves.toEqual({
        deletedManifests: 2,
      });

      await expect(sut.get(repository, 'v1')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
      await expect(tags(repository)).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
      expect((await catalog()).repositories).not.toContain(repository);
      await expect(
        sut.client.request(manifestRpc.deleteRepository, { repository }),
      ).rejects.toMatchObject({
        code: 'NAME_UNKNOWN',
      });
      await expectEventually(() =>
        expect(
          sut.eventsNamed('repository.deleted.v1').map((event) => event.payload['repository']),
        ).toEqual([repository]),
      );

      // pushing again starts a new repository
      await sut.push(repository, manifest, 'v1');
      await expect(tags(repository)).resolves.toMatchObject({ tags: ['v1'] });
    });
  });

  describe('referrers', () => {
    const repository = 'refs/app';
    const subject = buildOciManifest({ layers: [buildBlob('referred to')] });
    const sbom = buildArtifact({
      artifactType: 'application/spdx+json',
      subject,
      annotations: { 'org.opencontainers.image.created': '2026-01-02T03:04:05Z' },
    });
    const signature = buildArtifact({ artifactType: 'application/vnd.example.signature', subject });
    // an image manifest without artifactType is listed with its config's media type
    const attached = buildOciManifest({ layers: [buildBlob('attached image')], subject });
    const index = buildOciIndex([], { subject, artifactType: 'application/vnd.example.bundle' });

    it('lists referrers pushed before their subject exists', async () => {
      await sut.push(repository, sbom);

      await expect(referrers(repository, subject.digest)).resolves.toEqual({
        manifests: [
          {
            mediaType: mediaTypes.ociManifest,
            digest: sbom.digest,
            size: sbom.size,
            artifactType: 'application/spdx+json',
            annotations: { 'org.opencontainers.image.created': '2026-01-02T03:04:05Z' },
          },
        ],
      });
    });

    it('lists every referrer, filtered by artifactType when asked', async () => {
      await sut.push(repository, subject, 'v1');
      await sut.push(repository, signature);
      await sut.push(repository, attached);
      await sut.push(repository, index);

      const all = await referrers(repository, subject.digest);
      expect(all.manifests).toHaveLength(4);
      expect(all.manifests).toEqual(
        expect.arrayContaining([
          {
            mediaType: mediaTypes.ociManifest,
            digest: signature.digest,
            size: signature.size,
            artifactType: 'application/vnd.example.signature',
          },
          {
            mediaType: mediaTypes.ociManifest,
            digest: attached.digest,
            size: attached.size,
            artifactType: mediaTypes.ociConfig,
          },
          {
            mediaType: mediaTypes.ociIndex,
            digest: index.digest,
            size: index.size,
            artifactType: 'application/vnd.example.bundle',
          },
        ]),
      );
      await expect(
        referrers(repository, subject.digest, 'application/vnd.example.signature'),
      ).resolves.toEqual({
        manifests: [all.manifests.find((descriptor) => descriptor.digest === signature.digest)],
      });
      await expect(referrers(repository, subject.digest, 'application/x-none')).resolves.toEqual({
        manifests: [],
      });
    });

    it('lists nothing for another repository, an unknown repository or a digest nothing refers to', async () => {
      await expect(referrers('refs/other', subject.digest)).resolves.toEqual({ manifests: [] });
      await expect(referrers(repository, sbom.digest)).resolves.toEqual({ manifests: [] });
    });

    it('keeps listing referrers after their subject is deleted', async () => {
      await sut.delete(repository, subject.digest);
      expect((await referrers(repository, subject.digest)).manifests).toHaveLength(4);
    });
  });
});
