import {
  type ChangeableAttributes,
  type ChangeableAttributesPatch,
  type LockTarget,
  acrRpc,
  manifestRpc,
} from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { type BuiltManifest, buildBlob, buildOciManifest } from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

const unlocked: ChangeableAttributes = {
  deleteEnabled: true,
  writeEnabled: true,
  readEnabled: true,
  listEnabled: true,
};

describe('manifest service: locks (changeable attributes)', () => {
  let sut: ManifestServiceHarness;
  let n = 0;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_locks');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const image = (): BuiltManifest => buildOciManifest({ layers: [buildBlob(`locks ${n++}`)] });
  const lock = (repository: string, target: LockTarget, attributes: ChangeableAttributesPatch) =>
    sut.client.request(
      acrRpc.updateAttributes,
      { repository, target, attributes },
      { context: { request: { id: `req-lock-${n++}` }, actor: { name: 'owner' } } },
    );
  const repositoryTarget: LockTarget = { kind: 'repository' };
  const tagTarget = (tag: string): LockTarget => ({ kind: 'tag', tag });
  const manifestTarget = (digest: string): LockTarget => ({ kind: 'manifest', digest });
  const deleteRepository = (repository: string) =>
    sut.client.request(manifestRpc.deleteRepository, { repository });
  const denied = (message: string, detail: Record<string, unknown>) => ({
    code: 'DENIED',
    message,
    detail,
  });

  describe('acr.update-attributes', () => {
    const repository = 'locks/patch';
    let v1: BuiltManifest;

    beforeAll(async () => {
      v1 = image();
      await sut.push(repository, v1, 'v1');
    });

    it('merges the patch over the current set and answers the whole set', async () => {
      await expect(lock(repository, repositoryTarget, { writeEnabled: false })).resolves.toEqual({
        ...unlocked,
        writeEnabled: false,
      });
      await expect(lock(repository, repositoryTarget, { listEnabled: false })).resolves.toEqual({
        ...unlocked,
        writeEnabled: false,
        listEnabled: false,
      });
      await expect(sut.client.request(acrRpc.repository, { repository })).resolves.toMatchObject({
        changeableAttributes: { ...unlocked, writeEnabled: false, listEnabled: false },
      });
      await expect(
        lock(repository, repositoryTarget, { writeEnabled: true, listEnabled: true }),
      ).resolves.toEqual(unlocked);
    });

    it('announces lock.changed.v1 with the whole set and the tag or digest it is on', async () => {
      await lock(repository, tagTarget('v1'), { deleteEnabled: false });
      await lock(repository, manifestTarget(v1.digest), { readEnabled: false });
      await lock(repository, manifestTarget(v1.digest), { readEnabled: true });

      await expectEventually(() => {
        const changes = sut
          .eventsNamed('lock.changed.v1')
          .filter((event) => event.payload['repository'] === repository)
          .map((event) => event.payload);
        expect(changes).toHaveLength(6);
        expect(changes[0]).toMatchObject({
          repository,
          attributes: { ...unlocked, writeEnabled: false },
          originRegion: 'us-east',
        });
        expect(changes[0]).not.toHaveProperty('tag');
        expect(changes[0]).not.toHaveProperty('digest');
        expect(changes[3]).toMatchObject({
          tag: 'v1',
          attributes: { ...unlocked, deleteEnabled: false },
        });
        expect(changes[4]).toMatchObject({
          digest: v1.digest,
          attributes: { ...unlocked, readEnabled: false },
        });
        expect(changes[5]).toMatchObject({ digest: v1.digest, attributes: unlocked });
      });
      await expect(
        sut.client.request(acrRpc.tag, { repository, tag: 'v1' }),
      ).resolves.toMatchObject({
        changeableAttributes: { ...unlocked, deleteEnabled: false },
      });
      await expect(
        sut.client.request(acrRpc.manifest, { repository, digest: v1.digest }),
      ).resolves.toMatchObject({ changeableAttributes: unlocked });
    });

    it('answers NAME_UNKNOWN and MANIFEST_UNKNOWN for what does not exist, changing nothing', async () => {
      const before = await sut.sql`select count(*)::int as count from manifest.lock_changes`;
      await expect(
        lock('locks/absent', repositoryTarget, { writeEnabled: false }),
      ).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
      await expect(
        lock(repository, tagTarget('absent'), { writeEnabled: false }),
      ).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN', detail: { tag: 'absent' } });
      await expect(
        lock(repository, manifestTarget(image().digest), { writeEnabled: false }),
      ).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
      expect(await sut.sql`select count(*)::int as count from manifest.lock_changes`).toEqual(
        before,
      );
    });
  });

  describe('write locks', () => {
    it('refuses any push into a write-locked repository, and lets it through once unlocked', async () => {
      const repository = 'locks/write-repository';
      await sut.push(repository, image(), 'v1');
      await lock(repository, repositoryTarget, { writeEnabled: false });
      const refused = image();

      const message = `repository "${repository}" is locked: writeEnabled is false`;
      await expect(sut.push(repository, refused)).rejects.toMatchObject(
        denied(message, { repository, attribute: 'writeEnabled' }),
      );
      await expect(sut.push(repository, refused, 'v2')).rejects.toMatchObject({ code: 'DENIED' });
      expect(await sut.manifestsOf(repository)).not.toContain(refused.digest);

      await lock(repository, repositoryTarget, { writeEnabled: true });
      await expect(sut.push(repository, refused, 'v2')).resolves.toMatchObject({
        digest: refused.digest,
      });
    });

    it('refuses pointing a write-locked tag anywhere, even where it points', async () => {
      const repository = 'locks/write-tag';
      const v1 = image();
      await sut.push(repository, v1, 'v1');
      await lock(repository, tagTarget('v1'), { writeEnabled: false });

      const message = `tag "v1" of repository "${repository}" is locked: writeEnabled is false`;
      await expect(sut.push(repository, image(), 'v1')).rejects.toMatchObject(
        denied(message, { repository, tag: 'v1', attribute: 'writeEnabled' }),
      );
      await expect(sut.push(repository, v1, 'v1')).rejects.toMatchObject({ code: 'DENIED' });
      await expect(sut.delete(repository, 'v1')).rejects.toMatchObject({ code: 'DENIED' });
      // other tags, and pushes by digest, go through
      await expect(sut.push(repository, image(), 'v2')).resolves.toBeDefined();
      expect((await sut.tagsOf(repository))['v1']).toBe(v1.digest);
    });
  });

  describe('delete locks', () => {
    it('refuses deleting a locked tag, and a manifest a locked tag points to', async () => {
      const repository = 'locks/delete-tag';
      const v1 = image();
      await sut.push(repository, v1, 'v1');
      await lock(repository, tagTarget('v1'), { deleteEnabled: false });

      await expect(sut.delete(repository, 'v1')).rejects.toMatchObject(
        denied(`tag "v1" of repository "${repository}" is locked: deleteEnabled is false`, {
          repository,
          tag: 'v1',
          attribute: 'deleteEnabled',
        }),
      );
      await expect(sut.delete(repository, v1.digest)).rejects.toMatchObject({
        code: 'DENIED',
        detail: { tag: 'v1' },
      });
      expect(await sut.tagsOf(repository)).toEqual({ v1: v1.digest });
      await expect(sut.get(repository, 'v1')).resolves.toMatchObject({ digest: v1.digest });
    });

    it('refuses deleting a locked manifest, and lets a tag pointing to it go', async () => {
      const repository = 'locks/delete-manifest';
      const v1 = image();
      await sut.push(repository, v1, 'v1');
      await lock(repository, manifestTarget(v1.digest), { deleteEnabled: false });

      await expect(sut.delete(repository, v1.digest)).rejects.toMatchObject(
        denied(
          `manifest "${v1.digest}" of repository "${repository}" is locked: deleteEnabled is false`,
          { repository, digest: v1.digest, attribute: 'deleteEnabled' },
        ),
      );
      await expect(sut.delete(repository, 'v1')).resolves.toBeDefined();
      expect(await sut.manifestsOf(repository)).toEqual([v1.digest]);
    });

    it('answers an unknown reference in a locked repository as unknown', async () => {
      const repository = 'locks/delete-unknown';
      await sut.push(repository, image(), 'v1');
      await lock(repository, repositoryTarget, { deleteEnabled: false });
      await expect(sut.delete(repository, 'absent')).rejects.toMatchObject({
        code: 'MANIFEST_UNKNOWN',
      });
      await expect(sut.delete(repository, 'v1')).rejects.toMatchObject({ code: 'DENIED' });
    });

    it('refuses deleting a repository while it or anything in it is locked', async () => {
      const repository = 'locks/delete-repository';
      const v1 = image();
      await sut.push(repository, v1, 'v1');
      await lock(repository, manifestTarget(v1.digest), { writeEnabled: false });

      await expect(deleteRepository(repository)).rejects.toMatchObject({
        code: 'DENIED',
        detail: { digest: v1.digest, attribute: 'writeEnabled' },
      });
      await lock(repository, manifestTarget(v1.digest), { writeEnabled: true });
      await lock(repository, repositoryTarget, { deleteEnabled: false });
      await expect(deleteRepository(repository)).rejects.toMatchObject(
        denied(`repository "${repository}" is locked: deleteEnabled is false`, {
          repository,
          attribute: 'deleteEnabled',
        }),
      );
      expect(await sut.manifestsOf(repository)).toEqual([v1.digest]);

      await lock(repository, repositoryTarget, { deleteEnabled: true, listEnabled: false });
      await expect(deleteRepository(repository)).resolves.toEqual({ deletedManifests: 1 });
      // the delete took its locks: the name pushed again starts unlocked
      expect(
        await sut.sql`select 1 from manifest.lock_changes where repository = ${repository}`,
      ).toHaveLength(0);
      await sut.push(repository, v1, 'v1');
      await expect(sut.client.request(acrRpc.repository, { repository })).resolves.toMatchObject({
        changeableAttributes: unlocked,
      });
    });

    it('takes a deleted tag’s locks with it', async () => {
      const repository = 'locks/delete-forgets';
      const v1 = image();
      await sut.push(repository, v1, 'v1');
      await lock(repository, tagTarget('v1'), { readEnabled: false, listEnabled: false });
      await sut.delete(repository, 'v1');
      await sut.push(repository, v1, 'v1');
      await expect(sut.get(repository, 'v1')).resolves.toMatchObject({ digest: v1.digest });
    });
  });

  describe('read locks', () => {
    const repository = 'locks/read';
    let v1: BuiltManifest;
    let v2: BuiltManifest;

    beforeAll(async () => {
      v1 = image();
      v2 = image();
      await sut.push(repository, v1, 'v1');
      await sut.push(repository, v2, 'v2');
    });

    it('refuses pulling a read-locked tag by tag, not its manifest by digest', async () => {
      await lock(repository, tagTarget('v1'), { readEnabled: false });
      await expect(sut.get(repository, 'v1')).rejects.toMatchObject(
        denied(`tag "v1" of repository "${repository}" is locked: readEnabled is false`, {
          repository,
          tag: 'v1',
          attribute: 'readEnabled',
        }),
      );
      await expect(sut.get(repository, v1.digest, false)).resolves.toMatchObject({
        digest: v1.digest,
      });
      await lock(repository, tagTarget('v1'), { readEnabled: true });
      await expect(sut.get(repository, 'v1')).resolves.toMatchObject({ digest: v1.digest });
    });

    it('refuses pulling a read-locked manifest by digest and by any tag', async () => {
      await lock(repository, manifestTarget(v2.digest), { readEnabled: false });
      await expect(sut.get(repository, v2.digest)).rejects.toMatchObject({
        code: 'DENIED',
        detail: { digest: v2.digest, attribute: 'readEnabled' },
      });
      await expect(sut.get(repository, 'v2', false)).rejects.toMatchObject({
        code: 'DENIED',
        detail: { digest: v2.digest },
      });
      await lock(repository, manifestTarget(v2.digest), { readEnabled: true });
      await expect(sut.get(repository, 'v2')).resolves.toMatchObject({ digest: v2.digest });
    });

    it('refuses every pull from a read-locked repository', async () => {
      await lock(repository, repositoryTarget, { readEnabled: false });
      await expect(sut.get(repository, 'v1')).rejects.toMatchObject({
        code: 'DENIED',
        message: `repository "${repository}" is locked: readEnabled is false`,
      });
      await expect(sut.get(repository, v2.digest)).rejects.toMatchObject({ code: 'DENIED' });
      await lock(repository, repositoryTarget, { readEnabled: true });
      await expect(sut.get(repository, 'v1')).resolves.toMatchObject({ digest: v1.digest });
    });
  });

  describe('list locks', () => {
    const repository = 'locks/list';
    const tags = ['a', 'b', 'c', 'd'];
    const manifests: Record<string, BuiltManifest> = {};

    beforeAll(async () => {
      for (const tag of tags) {
        manifests[tag] = image();
        await sut.push(repository, manifests[tag]!, tag);
      }
      await sut.push('locks/list-other', image(), 'v1');
      await lock(repository, tagTarget('b'), { listEnabled: false });
      await lock(repository, manifestTarget(manifests['c']!.digest), { listEnabled: false });
    });

    it('hides a tag from the tag list, paging over what is listed', async () => {
      const page = (last?: string) =>
        sut.client.request(manifestRpc.tags, { repository, n: 1, last });
      await expect(page()).resolves.toMatchObject({ tags: ['a'], more: true });
      await expect(page('a')).resolves.toMatchObject({ tags: ['c'], more: true });
      await expect(page('c')).resolves.toMatchObject({ tags: ['d'], more: false });
    });

    it('hides tags and manifests from ACR’s listings, and shows them by name', async () => {
      const listed = await sut.client.request(acrRpc.tags, { repository, orderby: 'timedesc' });
      expect(listed.tags.map((tag) => tag.name)).toEqual(['d', 'c', 'a']);
      const { manifests: shown } = await sut.client.request(acrRpc.manifests, {
        repository,
        orderby: 'name',
        n: 10,
      });
      expect(shown.map((m) => m.digest).sort()).toEqual(
        ['a', 'b', 'd'].map((tag) => manifests[tag]!.digest).sort(),
      );
      await expect(sut.client.request(acrRpc.tag, { repository, tag: 'b' })).resolves.toMatchObject(
        { name: 'b', changeableAttributes: { ...unlocked, listEnabled: false } },
      );
      await expect(
        sut.client.request(acrRpc.manifest, { repository, digest: manifests['c']!.digest }),
      ).resolves.toMatchObject({ changeableAttributes: { ...unlocked, listEnabled: false } });
      await expect(sut.get(repository, 'b')).resolves.toMatchObject({
        digest: manifests['b']!.digest,
      });
    });

    it('hides a repository from the catalog, and everything in it from its listings', async () => {
      await lock(repository, repositoryTarget, { listEnabled: false });
      const { repositories } = await sut.client.request(manifestRpc.catalog, {});
      expect(repositories).toContain('locks/list-other');
      expect(repositories).not.toContain(repository);
      await expect(sut.client.request(manifestRpc.tags, { repository })).resolves.toMatchObject({
        tags: [],
      });
      await expect(sut.client.request(acrRpc.repository, { repository })).resolves.toMatchObject({
        changeableAttributes: { ...unlocked, listEnabled: false },
      });
      await expect(sut.get(repository, 'a')).resolves.toBeDefined();

      await lock(repository, repositoryTarget, { listEnabled: true });
      await lock(repository, tagTarget('b'), { listEnabled: true });
      expect((await sut.client.request(manifestRpc.catalog, {})).repositories).toContain(
        repository,
      );
      await expect(sut.client.request(manifestRpc.tags, { repository })).resolves.toMatchObject({
        tags: ['a', 'b', 'c', 'd'],
      });
    });
  });
});
