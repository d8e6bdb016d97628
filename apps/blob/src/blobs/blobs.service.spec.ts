import { HybridLogicalClock, RegistryError } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { InMemoryBlobData, InMemoryBlobsRepository } from '../../test/fakes/in-memory-repositories';
import { BlobsService } from './blobs.service';

const digestA = `sha256:${'a'.repeat(64)}`;
const digestB = `sha256:${'b'.repeat(64)}`;
const digestC = `sha256:${'c'.repeat(64)}`;

function setup() {
  const data = new InMemoryBlobData();
  const sut = new BlobsService(
    new InMemoryBlobsRepository(data),
    new Outbox('blob', new HybridLogicalClock('eu-west')),
  );
  return { sut, data };
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

  it('refuses to delete a blob the repository does not see', async () => {
    const { sut, data } = setup();
    data.addBlob({ digest: digestA, size: 1 }, 'team/other');
    const error: unknown = await sut.delete('team/app', digestA, {}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'BLOB_UNKNOWN' });
    expect(data.events).toEqual([]);
  });
});
