import { manifestRpc, softDeleteRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { at, manifestDeleted, pushed, repositoryDeleted } from './build-events';
import { type BuiltManifest, blobsOf, buildBlob, buildOciManifest } from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

describe('manifest service: soft delete', () => {
  let sut: ManifestServiceHarness;
  let n = 0;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_soft_delete');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const image = (): BuiltManifest => buildOciManifest({ layers: [buildBlob(`soft ${n++}`)] });
  const context = () => ({ context: { request: { id: `req-sd-${n++}` }, actor: { name: 'ci' } } });
  const setPolicy = (enabled: boolean, retentionDays: number) =>
    sut.client.request(softDeleteRpc.setSetting, { enabled, retentionDays }, context());
  const listDeleted = (repository: string, page: { n?: number; last?: string } = {}) =>
    sut.client.request(softDeleteRpc.listDeleted, { repository, ...page });
  const restore = (repository: string, digest: string) =>
    sut.client.request(softDeleteRpc.restore, { repository, digest }, context());
  const restorableReferences = async (repository: string, digest: string) => {
    const rows = await sut.sql<{ digest: string }[]>`
      select digest from manifest.blob_references
      where repository = ${repository} and manifest = ${digest} and restorable
      order by digest`;
    return rows.map((row) => row.digest);
  };
  const layersOf = (manifest: BuiltManifest) =>
    blobsOf(manifest)
      .map((blob) => blob.digest)
      .sort();

  describe('the setting', () => {
    it('is off with 7 days until set, and announces soft-delete-setting.changed.v1', async () => {
      await expect(sut.client.request(softDeleteRpc.setting, {})).resolves.toEqual({
        enabled: false,
        retentionDays: 7,
      });
      await expect(setPolicy(false, 30)).resolves.toEqual({ enabled: false, retentionDays: 30 });
      await expectEventually(() =>
        expect(sut.eventsNamed('soft-delete-setting.changed.v1').at(-1)?.payload).toMatchObject({
          enabled: false,
          retentionDays: 30,
          originRegion: 'us-east',
          actor: { name: 'ci' },
        }),
      );
    });

    it("applies another region's change through manifest.apply, the newest winning", async () => {
      const event = (hlc: string, enabled: boolean, retentionDays: number) => ({
        kind: 'soft-delete-setting.changed' as const,
        event: {
          eventId: crypto.randomUUID(),
          originRegion: 'eu-west',
          occurredAt: new Date().toISOString(),
          hlc,
          enabled,
          retentionDays,
        },
      });
      await expect(sut.apply(event(at(Date.now() + 60_000, 'eu-west'), true, 3))).resolves.toEqual({
        outcome: 'applied',
      });
      await expect(sut.apply(event(at(1, 'eu-west'), false, 9))).resolves.toEqual({
        outcome: 'superseded',
      });
      await expect(sut.client.request(softDeleteRpc.setting, {})).resolves.toEqual({
        enabled: true,
        retentionDays: 3,
      });
    });

    it('keeps nothing while off', async () => {
      const repository = 'soft/off';
      const gone = image();
      await sut.push(repository, gone, 'v1');
      await setPolicy(false, 7);
      try {
        await sut.delete(repository, gone.digest);
      } finally {
        await setPolicy(true, 7);
      }
      await expect(listDeleted(repository)).resolves.toEqual({
        repository,
        manifests: [],
        more: false,
      });
    });
  });

  describe('a deleted manifest (setting on, 7 days)', () => {
    const repository = 'soft/app';
    const v1 = image();

    beforeAll(async () => {
      await setPolicy(true, 7);
      await sut.push(repository, v1, 'v1');
      await sut.push(repository, v1, 'stable');
      await sut.delete(repository, v1.digest);
    });

    it('is gone, and listed with its tags until it expires', async () => {
      await expect(sut.get(repository, v1.digest)).rejects.toMatchObject({
        code: 'MANIFEST_UNKNOWN',
      });
      const listed = await listDeleted(repository);
      expect(listed).toMatchObject({
        repository,
        manifests: [
          { digest: v1.digest, mediaType: v1.mediaType, size: v1.size, tags: ['stable', 'v1'] },
        ],
        more: false,
      });
      const { deletedAt, expiresAt } = listed.manifests[0]!;
      const days = (Date.parse(expiresAt) - Date.parse(deletedAt)) / 86_400_000;
      expect(days).toBeCloseTo(7, 3);
    });

    it('keeps its blobs referenced for garbage collection', async () => {
      await expect(restorableReferences(repository, v1.digest)).resolves.toEqual(layersOf(v1));
    });

    it('is restored with its tags by an ordinary push, stamped after the delete', async () => {
      const eventsBefore = sut.events.length;
      await expect(restore(repository, v1.digest)).resolves.toEqual({
        repository,
        digest: v1.digest,
        mediaType: v1.mediaType,
        size: v1.size,
        tags: ['stable', 'v1'],
        skippedTags: [],
      });
      await expect(sut.get(repository, 'v1')).resolves.toMatchObject({ digest: v1.digest });
      expect(await sut.tagsOf(repository)).toEqual({ stable: v1.digest, v1: v1.digest });
      await expect(listDeleted(repository)).resolves.toMatchObject({ manifests: [] });
      await expect(restorableReferences(repository, v1.digest)).resolves.toEqual([]);
      const deleted = sut.eventsNamed('manifest.deleted.v1').at(-1)!.payload;
      await expectEventually(() => {
        const after = sut.events.slice(eventsBefore);
        const push = after.find((event) => event.name === 'manifest.pushed.v1')!.payload;
        expect(push).toMatchObject({ repository, digest: v1.digest, body: v1.base64 });
        expect(String(push['hlc']) > String(deleted['hlc'])).toBe(true);
        expect(
          after
            .filter((event) => event.name === 'tag.updated.v1')
            .map((event) => event.payload['tag']),
        ).toEqual(['stable', 'v1']);
      });
    });

    it('cannot be restored twice: 404 MANIFEST_UNKNOWN', async () => {
      await expect(restore(repository, v1.digest)).rejects.toMatchObject({
        code: 'MANIFEST_UNKNOWN',
      });
    });
  });

  it('restores without a tag re-pointed since the delete, which keeps its new manifest', async () => {
    const repository = 'soft/repointed';
    const old = image();
    const next = image();
    await sut.push(repository, old, 'latest');
    await sut.push(repository, old, 'pinned');
    await sut.delete(repository, old.digest);
    await sut.push(repository, next, 'latest');
    await expect(restore(repository, old.digest)).resolves.toMatchObject({
      tags: ['pinned'],
      skippedTags: ['latest'],
    });
    expect(await sut.tagsOf(repository)).toEqual({ latest: next.digest, pinned: old.digest });
  });

  it('restores without a tag deleted again since the delete', async () => {
    const repository = 'soft/retagged';
    const old = image();
    const other = image();
    await sut.push(repository, old, 'v1');
    await sut.delete(repository, old.digest);
    await sut.push(repository, other, 'v1');
    await sut.delete(repository, 'v1');
    await expect(restore(repository, old.digest)).resolves.toMatchObject({
      tags: [],
      skippedTags: ['v1'],
    });
    expect(await sut.tagsOf(repository)).toEqual({});
  });

  it('keeps what a repository delete removed, restorable into the repository made anew', async () => {
    const repository = 'soft/whole';
    const a = image();
    const b = image();
    await sut.push(repository, a, 'a');
    await sut.push(repository, b);
    await sut.client.request(manifestRpc.deleteRepository, { repository });
    await expect(listDeleted(repository)).resolves.toMatchObject({
      manifests: expect.arrayContaining([
        expect.objectContaining({ digest: a.digest, tags: ['a'] }),
        expect.objectContaining({ digest: b.digest, tags: [] }),
      ]),
    });
    await expect(listDeleted(repository, { n: 1 })).resolves.toMatchObject({ more: true });
    await expect(restore(repository, a.digest)).resolves.toMatchObject({ tags: ['a'] });
    await expect(sut.get(repository, 'a')).resolves.toMatchObject({ digest: a.digest });
  });

  it("keeps what another region's deletes removed here", async () => {
    const repository = 'soft/replicated';
    const a = image();
    const b = image();
    sut.blobs.add(repository, ...blobsOf(a), ...blobsOf(b));
    await sut.apply(pushed(repository, a, at(Date.now() - 60_000, 'eu-west'), 'a'));
    await sut.apply(pushed(repository, b, at(Date.now() - 60_000, 'eu-west'), 'b'));
    await sut.apply(manifestDeleted(repository, a, at(Date.now() - 30_000, 'eu-west'), ['a']));
    await sut.apply(repositoryDeleted(repository, at(Date.now() - 20_000, 'eu-west')));
    const listed = await listDeleted(repository);
    expect(listed.manifests.map((m) => [m.digest, m.tags])).toEqual(
      [
        [a.digest, ['a']],
        [b.digest, ['b']],
      ].sort(([x], [y]) => (String(x) < String(y) ? -1 : 1)),
    );
    // a newer push of the same bytes (here, or from a peer) means it is no longer deleted
    await sut.apply(pushed(repository, b, at(Date.now() + 1_000, 'eu-west')));
    await expect(listDeleted(repository)).resolves.toMatchObject({
      manifests: [expect.objectContaining({ digest: a.digest })],
    });
  });

  it('removes expired manifests for good, and their blob references with them', async () => {
    const repository = 'soft/expired';
    const gone = image();
    await sut.push(repository, gone, 'v1');
    await sut.delete(repository, gone.digest);
    await sut.sql`
      update manifest.restorable_manifests set expires_at = now() - interval '1 second'
      where repository = ${repository}`;
    await expect(restore(repository, gone.digest)).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
    await expect(sut.sweepExpiredRestorable()).resolves.toBeGreaterThanOrEqual(1);
    await expect(restorableReferences(repository, gone.digest)).resolves.toEqual([]);
    await expect(sut.sql`
      select 1 from manifest.restorable_manifests where repository = ${repository}`).resolves.toHaveLength(
      0,
    );
  });

  it('answers 404 for what it never heard of', async () => {
    await expect(listDeleted('soft/never')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    await expect(restore('soft/never', image().digest)).rejects.toMatchObject({
      code: 'NAME_UNKNOWN',
    });
    await expect(restore('soft/app', image().digest)).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
  });
});
