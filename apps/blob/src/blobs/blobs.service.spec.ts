import { HybridLogicalClock, RegistryError } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { blobKey } from '@meridian/storage';
import { InMemoryBlobData, InMemoryBlobsRepository } from '../../test/fakes/in-memory-repositories';
import { InMemoryUploadStore } from '../../test/fakes/in-memory-upload-store';
import { BlobsService } from './blobs.service';

const digestA = `sha256:${'a'.repeat(64)}`;
const digestB = `sha256:${'b'.repeat(64)}`;
const digestC = `sha256:${'c'.repeat(64)}`;

function setup() {
  const data = new InMemoryBlobData();
  const store = new InMemoryUploadStore();
  const sut = new BlobsService(
    new InMemoryBlobsRepository(data),
    new Outbox('blob', new HybridLogicalClock('eu-west')),
    store,
  );
  return { sut, data, store };
}

describe(BlobsService.name, () => {
  it('answers a blob only to the repositories it is linked to', async () => {
    const { sut, data } = setup();
    data.addBlob({ digest: digestA, size: 3 }, 'team/app');
    await expect(sut.stat('team/app', digestA)).resolves.toEqual({ digest: digestA, size: 3 });
    await expect(sut.stat('team/other', digestA)).rejects.toMatchObject({ code: 'BLOB_UNKNOWN' });
  });

  it('lists which of many digests a repository sees, each once', async () => {
    const { sut, data } = setup();
    data.addBlob({ digest: digestA, size: 1 }, 'team/app');
    data.addBlob({ digest: digestB, size: 2 }, 'team/other');
    const found = await sut.statMany('team/app', [digestA, digestB, digestC, digestA]);
    expect(found).toEqual([{ digest: digestA, size: 1 }]);
  });

  it('unlinks a blob from one repository and announces it', async () => {
    const { sut, data } = setup();
    data.addBlob({ digest: digestA, size: 1 }, 'team/app', 'team/other');
    await sut.delete('team/app', digestA, { actor: { name: 'admin' } });
    expect(data.sees('team/app', digestA)).toBe(false);
    expect(data.sees('team/other', digestA)).toBe(true);
    expect(data.blobs.has(digestA)).toBe(true);
    expect(data.events).toEqual([
      {
        name: 'blob.deleted.v1',
        payload: expect.objectContaining({
          repository: 'team/app',
          digest: digestA,
          originRegion: 'eu-west',
          actor: { name: 'admin' },
        }),
      },
    ]);
  });

  it('answers a blob deleted from the repository here as deleted here, until it is linked again', async () => {
    const { sut, data, store } = setup();
    data.addBlob({ digest: digestA, size: 1 }, 'team/app');
    await expect(sut.stat('team/app', digestB)).rejects.toMatchObject({
      code: 'BLOB_UNKNOWN',
      detail: { digest: digestB },
    });
    await sut.delete('team/app', digestA, { actor: { name: 'admin' } });
    await expect(sut.stat('team/app', digestA)).rejects.toMatchObject({
      code: 'BLOB_UNKNOWN',
      detail: { digest: digestA, deleted: true },
    });
    store.objects.set(blobKey(digestA), 1);
    await sut.link('team/app', digestA, 1);
    await expect(sut.stat('team/app', digestA)).resolves.toEqual({ digest: digestA, size: 1 });
  });

  it('refuses to delete a blob the repository does not see', async () => {
    const { sut, data } = setup();
    data.addBlob({ digest: digestA, size: 1 }, 'team/other');
    const error: unknown = await sut.delete('team/app', digestA, {}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'BLOB_UNKNOWN' });
    expect(data.events).toEqual([]);
  });

  describe('link', () => {
    it('links a blob the store holds to a repository, once, announcing nothing', async () => {
      const { sut, data, store } = setup();
      store.objects.set(blobKey(digestA), 5);

      await expect(sut.link('team/app', digestA, 5)).resolves.toEqual({ digest: digestA, size: 5 });
      await expect(sut.link('team/app', digestA, 5)).resolves.toEqual({ digest: digestA, size: 5 });
      await sut.link('team/other', digestA, 5);

      expect(data.sees('team/app', digestA)).toBe(true);
      expect(data.sees('team/other', digestA)).toBe(true);
      expect(data.blobs.get(digestA)).toBe(5);
      expect(data.events).toEqual([]);
    });

    it('answers BLOB_UNKNOWN when the bytes are not at the blob key, and links nothing', async () => {
      const { sut, data, store } = setup();
      store.objects.set(blobKey(digestB), 5);

      await expect(sut.link('team/app', digestA, 5)).rejects.toMatchObject({
        code: 'BLOB_UNKNOWN',
      });
      expect(data.sees('team/app', digestA)).toBe(false);
      expect(data.blobs.has(digestA)).toBe(false);
    });

    it('answers SIZE_INVALID when the stored bytes are not the size asked for', async () => {
      const { sut, data, store } = setup();
      store.objects.set(blobKey(digestA), 4);

      await expect(sut.link('team/app', digestA, 5)).rejects.toMatchObject({
        code: 'SIZE_INVALID',
        detail: { digest: digestA, size: 5, stored: 4 },
      });
      expect(data.sees('team/app', digestA)).toBe(false);
    });
  });
});
