import { HybridLogicalClock, RegistryError } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { createLogger } from '@meridian/telemetry';
import {
  type BuiltManifest,
  blobsOf,
  buildBlob,
  buildOciManifest,
} from '../../test/build-manifest';
import { InMemoryBlobPresence } from '../../test/fakes/in-memory-blob-presence';
import { InMemoryManifestsRepository } from '../../test/fakes/in-memory-manifests.repository';
import { InMemorySoftDeleteRepository } from '../../test/fakes/in-memory-soft-delete.repository';
import { ManifestsService } from '../manifests/manifests.service';
import { DeletedManifestsService } from './deleted-manifests.service';

const repo = 'team/app';
const context = { request: { id: 'req-1' }, actor: { name: 'ci' } };
const logger = createLogger({ service: 'manifest', region: 'us-east', level: 'silent' });
const day = 86_400_000;

describe(DeletedManifestsService.name, () => {
  let manifests: InMemoryManifestsRepository;
  let blobs: InMemoryBlobPresence;
  let softDelete: InMemorySoftDeleteRepository;
  let pushes: ManifestsService;
  let sut: DeletedManifestsService;

  beforeEach(() => {
    manifests = new InMemoryManifestsRepository();
    blobs = new InMemoryBlobPresence();
    softDelete = new InMemorySoftDeleteRepository();
    const outbox = new Outbox('manifest', new HybridLogicalClock('us-east', () => Date.now()));
    pushes = new ManifestsService(manifests, blobs, outbox, logger);
    sut = new DeletedManifestsService(softDelete, pushes, logger);
  });

  async function push(manifest: BuiltManifest, reference = manifest.digest) {
    blobs.add(repo, ...blobsOf(manifest));
    return pushes.put({ repository: repo, reference, body: manifest.base64 }, context);
  }

  /** Deletes it and keeps it as keep-restorable.ts would, with the delete's reading. */
  async function softDeleted(manifest: BuiltManifest, tags: string[]) {
    await pushes.delete({ repository: repo, reference: manifest.digest }, context);
    const deletedHlc = String(manifests.events.at(-1)!.payload['hlc']);
    softDelete.add({
      repository: repo,
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.size,
      body: manifest.bytes,
      tags,
      deletedHlc,
      deletedAt: new Date(),
      expiresAt: new Date(Date.now() + 7 * day),
    });
  }

  it('restores by pushing the bytes again, with its tags, each announced', async () => {
    const image = buildOciManifest({ layers: [buildBlob('restored')] });
    await push(image, 'v1');
    await push(image, 'stable');
    await softDeleted(image, ['stable', 'v1']);
    const before = manifests.events.length;

    await expect(sut.restore({ repository: repo, digest: image.digest }, context)).resolves.toEqual(
      {
        repository: repo,
        digest: image.digest,
        mediaType: image.mediaType,
        size: image.size,
        tags: ['stable', 'v1'],
        skippedTags: [],
      },
    );
    expect(manifests.manifest(repo, image.digest)?.body).toEqual(image.bytes);
    expect(manifests.events.slice(before).map((event) => event.name)).toEqual([
      'manifest.pushed.v1',
      'replication.completed.v1',
      'tag.updated.v1',
      'tag.updated.v1',
    ]);
  });

  it('leaves a tag written since the delete to that newer write', async () => {
    const old = buildOciManifest({ layers: [buildBlob('old')] });
    const next = buildOciManifest({ layers: [buildBlob('next')] });
    await push(old, 'latest');
    await softDeleted(old, ['latest']);
    await push(next, 'latest');

    await expect(
      sut.restore({ repository: repo, digest: old.digest }, context),
    ).resolves.toMatchObject({ tags: [], skippedTags: ['latest'] });
    expect(manifests.manifest(repo, old.digest)).toBeDefined();
    expect(manifests.tag(repo, 'latest')?.digest).toBe(next.digest);
  });

  it('answers 404 for what is not restorable: an expired one, an unknown digest or repository', async () => {
    const image = buildOciManifest({ layers: [buildBlob('expired')] });
    await push(image, 'v1');
    await softDeleted(image, ['v1']);
    softDelete.kept[0]!.expiresAt = new Date(Date.now() - 1);
    const code = (promise: Promise<unknown>) =>
      promise.then(
        () => 'restored',
        (error: unknown) => (error instanceof RegistryError ? error.code : String(error)),
      );
    await expect(
      code(sut.restore({ repository: repo, digest: image.digest }, context)),
    ).resolves.toBe('MANIFEST_UNKNOWN');
    await expect(
      code(sut.restore({ repository: 'no/such', digest: image.digest }, context)),
    ).resolves.toBe('NAME_UNKNOWN');
    await expect(code(sut.list({ repository: 'no/such' }))).resolves.toBe('NAME_UNKNOWN');
  });

  it('lists in digest order, a page at a time', async () => {
    const images = ['a', 'b', 'c'].map((c) => buildOciManifest({ layers: [buildBlob(c)] }));
    for (const image of images) {
      await push(image, 'v');
      await softDeleted(image, []);
    }
    const digests = images.map((image) => image.digest).sort();
    const first = await sut.list({ repository: repo, n: 2 });
    expect(first.manifests.map((m) => m.digest)).toEqual(digests.slice(0, 2));
    expect(first.more).toBe(true);
    const rest = await sut.list({ repository: repo, n: 2, last: digests[1] });
    expect(rest).toMatchObject({ manifests: [{ digest: digests[2] }], more: false });
  });
});
