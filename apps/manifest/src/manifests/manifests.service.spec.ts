import { HybridLogicalClock, RegistryError, compareHlc, formatHlc } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { computeDigest, mediaTypes, sha512Digest } from '@meridian/oci';
import { createLogger } from '@meridian/telemetry';
import {
  type BuiltManifest,
  blobsOf,
  buildArtifact,
  buildBlob,
  buildDockerList,
  buildDockerManifest,
  buildOciIndex,
  buildOciManifest,
  built,
} from '../../test/build-manifest';
import { InMemoryBlobPresence } from '../../test/fakes/in-memory-blob-presence';
import { InMemoryManifestsRepository } from '../../test/fakes/in-memory-manifests.repository';
import { ManifestsService } from './manifests.service';

const repo = 'team/app';
const context = { request: { id: 'req-1', method: 'PUT' }, actor: { name: 'ci' } };
const logger = createLogger({ service: 'manifest', region: 'us-east', level: 'silent' });

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const err = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(err instanceof RegistryError))
    throw new Error(`expected a RegistryError, got ${String(err)}`);
  return err;
}

describe(ManifestsService.name, () => {
  let manifests: InMemoryManifestsRepository;
  let blobs: InMemoryBlobPresence;
  let sut: ManifestsService;

  beforeEach(() => {
    manifests = new InMemoryManifestsRepository();
    blobs = new InMemoryBlobPresence();
    const outbox = new Outbox(
      'manifest',
      new HybridLogicalClock('us-east', () => 1_700_000_000_000),
    );
    sut = new ManifestsService(manifests, blobs, outbox, logger);
  });

  /** Pushes a manifest whose blobs the repository sees. */
  async function push(manifest: BuiltManifest, reference = manifest.digest) {
    blobs.add(repo, ...blobsOf(manifest));
    return sut.put({ repository: repo, reference, body: manifest.base64 }, context);
  }

  describe('put', () => {
    it('stores a manifest pushed by tag, tags it and announces both with one clock reading', async () => {
      const manifest = buildOciManifest();
      blobs.add(repo, ...blobsOf(manifest));

      const answer = await sut.put(
        { repository: repo, reference: 'v1', body: manifest.base64 },
        context,
      );

      expect(answer).toEqual({
        digest: manifest.digest,
        mediaType: mediaTypes.ociManifest,
        size: manifest.size,
      });
      expect(manifests.manifest(repo, manifest.digest)?.body).toEqual(manifest.bytes);
      const [pushed, completed, tagged] = manifests.events;
      expect(manifests.events.map((event) => event.name)).toEqual([
        'manifest.pushed.v1',
        'replication.completed.v1',
        'tag.updated.v1',
      ]);
      expect(pushed!.payload).toMatchObject({
        repository: repo,
        digest: manifest.digest,
        mediaType: mediaTypes.ociManifest,
        size: manifest.size,
        tag: 'v1',
        artifactType: mediaTypes.ociConfig,
        references: { blobs: blobsOf(manifest), manifests: [] },
        request: context.request,
        actor: context.actor,
        originRegion: 'us-east',
      });
      expect(tagged!.payload).toMatchObject({
        repository: repo,
        tag: 'v1',
        digest: manifest.digest,
      });
      expect(tagged!.payload).not.toHaveProperty('previousDigest');
      expect(tagged!.payload['eventId']).not.toBe(pushed!.payload['eventId']);
      expect(tagged!.payload['hlc']).toBe(pushed!.payload['hlc']);
      // ready in the region it was pushed to, at once
      expect(completed!.payload).toMatchObject({
        repository: repo,
        digest: manifest.digest,
        mediaType: mediaTypes.ociManifest,
        size: manifest.size,
        tag: 'v1',
        region: 'us-east',
        sourceRegion: 'us-east',
        sourceEventId: pushed!.payload['eventId'],
        pushedAt: pushed!.payload['occurredAt'],
        lagMs: 0,
        hlc: pushed!.payload['hlc'],
      });
      expect(completed!.payload['eventId']).not.toBe(pushed!.payload['eventId']);
      expect(manifests.tag(repo, 'v1')).toEqual({
        digest: manifest.digest,
        hlc: pushed!.payload['hlc'],
      });
    });

    it('stores a manifest pushed by digest without tagging it', async () => {
      const manifest = buildOciManifest();

      await push(manifest);

      expect(manifests.manifest(repo, manifest.digest)).toBeDefined();
      expect(manifests.events.map((event) => event.name)).toEqual([
        'manifest.pushed.v1',
        'replication.completed.v1',
      ]);
      expect(manifests.events[0]!.payload).not.toHaveProperty('tag');
      expect(manifests.events[1]!.payload).not.toHaveProperty('tag');
    });

    it('stores a manifest pushed by its sha512 digest under that digest, blobs sha512 too', async () => {
      const layer = { digest: computeDigest('a sha512 layer', 'sha512'), size: 14 };
      const manifest = buildOciManifest({ layers: [layer] });
      const digest = sha512Digest(manifest.bytes);

      const stored = await push(manifest, digest);

      expect(stored.digest).toBe(digest);
      expect(manifests.manifest(repo, digest)).toBeDefined();
      expect(manifests.manifest(repo, manifest.digest)).toBeUndefined();
      expect(manifests.events[0]!.payload).toMatchObject({
        digest,
        references: { blobs: expect.arrayContaining([layer]) },
      });
    });

    it('names a manifest pushed by tag by its sha256, whatever its blobs are named by', async () => {
      const manifest = buildOciManifest({
        layers: [{ digest: computeDigest('a sha512 layer', 'sha512'), size: 14 }],
      });

      const stored = await push(manifest, 'v1');

      expect(stored.digest).toBe(manifest.digest);
      expect(stored.digest).toMatch(/^sha256:/);
    });

    it('refuses a body whose sha512 is not the reference', async () => {
      const manifest = buildOciManifest();
      blobs.add(repo, ...blobsOf(manifest));
      const wrong = sha512Digest(Buffer.concat([manifest.bytes, Buffer.from('\n')]));

      const err = await rejection(
        sut.put({ repository: repo, reference: wrong, body: manifest.base64 }, context),
      );

      expect(err).toMatchObject({
        code: 'DIGEST_INVALID',
        detail: { reference: wrong, digest: sha512Digest(manifest.bytes) },
      });
      expect(manifests.events).toEqual([]);
    });

    it('refuses a body whose digest is not the reference, and stores nothing', async () => {
      const manifest = buildOciManifest();
      const other = buildOciManifest({ layers: [buildBlob('other layer')] });
      blobs.add(repo, ...blobsOf(manifest));

      const err = await rejection(
        sut.put({ repository: repo, reference: other.digest, body: manifest.base64 }, context),
      );

      expect(err).toMatchObject({
        code: 'DIGEST_INVALID',
        detail: { reference: other.digest, digest: manifest.digest },
      });
      expect(manifests.hasRepository(repo)).toBe(false);
      expect(manifests.events).toEqual([]);
    });

    it('moves a tag and names the digest it pointed to before', async () => {
      const first = buildOciManifest();
      const second = buildOciManifest({ layers: [buildBlob('layer 2')] });
      await push(first, 'latest');

      await push(second, 'latest');

      const moved = manifests.events.at(-1)!;
      expect(moved).toMatchObject({
        name: 'tag.updated.v1',
        payload: { tag: 'latest', digest: second.digest, previousDigest: first.digest },
      });
      expect(manifests.tag(repo, 'latest')?.digest).toBe(second.digest);
      expect(manifests.manifest(repo, first.digest)).toBeDefined();
    });

    it('announces every push but no tag update when the tag already points to the digest', async () => {
      const manifest = buildOciManifest();
      await push(manifest, 'v1');
      const firstHlc = manifests.tag(repo, 'v1')!.hlc;

      await push(manifest, 'v1');

      expect(manifests.events.map((event) => event.name)).toEqual([
        'manifest.pushed.v1',
        'replication.completed.v1',
        'tag.updated.v1',
        'manifest.pushed.v1',
        'replication.completed.v1',
      ]);
      // the tag row carries the latest write's clock, as the latest event does
      expect(manifests.tag(repo, 'v1')!.hlc > firstHlc).toBe(true);
      expect(manifests.tag(repo, 'v1')!.hlc).toBe(manifests.events.at(-1)!.payload['hlc']);
    });

    it('stamps a push after the newest write of its tag, even one its clock never saw', async () => {
      const applied = buildOciManifest({ layers: [buildBlob('applied elsewhere')] });
      const ahead = '009000000000000.000004.eu-west';
      // as another replica of the service, or this one before a restart, applied it
      await manifests.transaction(async (tx) => {
        await tx.ensureRepository(repo);
        await tx.insertManifest({
          repository: repo,
          digest: applied.digest,
          hlc: ahead,
          mediaType: applied.mediaType,
          body: applied.bytes,
          references: { blobs: [], manifests: [] },
        });
        await tx.setTagIfNewer(repo, 'v1', applied.digest, ahead);
      });
      const manifest = buildOciManifest();

      await push(manifest, 'v1');

      const pushed = manifests.events.find((event) => event.name === 'manifest.pushed.v1')!;
      expect((pushed.payload['hlc'] as string) > ahead).toBe(true);
      expect(manifests.tag(repo, 'v1')).toEqual({
        digest: manifest.digest,
        hlc: pushed.payload['hlc'],
      });
    });

    it("stamps a tag delete after the tag's newest write", async () => {
      const manifest = buildOciManifest();
      await push(manifest);
      const ahead = '009000000000000.000004.eu-west';
      await manifests.transaction((tx) => tx.setTagIfNewer(repo, 'v1', manifest.digest, ahead));

      await sut.delete({ repository: repo, reference: 'v1' }, context);

      expect((manifests.events.at(-1)!.payload['hlc'] as string) > ahead).toBe(true);
    });

    it('refuses malformed JSON as MANIFEST_INVALID without asking the blob service', async () => {
      const body = Buffer.from('{"schemaVersion": 2,').toString('base64');

      const err = await rejection(sut.put({ repository: repo, reference: 'v1', body }, context));

      expect(err.code).toBe('MANIFEST_INVALID');
      expect(blobs.calls).toEqual([]);
      expect(manifests.events).toEqual([]);
    });

    it('refuses a Content-Type that names another manifest type than the body', async () => {
      const manifest = buildOciManifest();
      blobs.add(repo, ...blobsOf(manifest));

      const err = await rejection(
        sut.put(
          {
            repository: repo,
            reference: 'v1',
            body: manifest.base64,
            contentType: mediaTypes.dockerManifest,
          },
          context,
        ),
      );

      expect(err).toMatchObject({
        code: 'MANIFEST_INVALID',
        detail: { contentType: mediaTypes.dockerManifest },
      });
    });

    it('refuses a body over 4 MiB as MANIFEST_TOO_LARGE', async () => {
      const body = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20).toString('base64');

      const err = await rejection(sut.put({ repository: repo, reference: 'v1', body }, context));

      expect(err.code).toBe('MANIFEST_TOO_LARGE');
    });

    it('refuses a manifest whose blobs the repository does not see, naming each missing one', async () => {
      const config = buildBlob('config');
      const missingLayers = [buildBlob('missing 1'), buildBlob('missing 2')];
      const manifest = buildOciManifest({ config, layers: missingLayers });
      blobs.add(repo, config);
      blobs.add('other/repo', ...missingLayers);

      const err = await rejection(
        sut.put({ repository: repo, reference: 'v1', body: manifest.base64 }, context),
      );

      expect(err).toMatchObject({
        code: 'MANIFEST_BLOB_UNKNOWN',
        detail: { missing: missingLayers.map((layer) => layer.digest) },
      });
      // no peer held them either
      expect(blobs.fetches).toEqual([
        { repository: repo, digests: missingLayers.map((layer) => layer.digest) },
      ]);
      expect(manifests.hasRepository(repo)).toBe(false);
      expect(manifests.events).toEqual([]);
    });

    it('has blobs only a peer region holds copied here first, then accepts the push', async () => {
      const manifest = buildOciManifest();
      const [config, layer] = blobsOf(manifest);
      blobs.add(repo, config!);
      blobs.addAtPeer(repo, layer!);

      await expect(
        sut.put({ repository: repo, reference: 'v1', body: manifest.base64 }, context),
      ).resolves.toMatchObject({ digest: manifest.digest });
      expect(blobs.fetches).toEqual([{ repository: repo, digests: [layer!.digest] }]);
      expect(manifests.manifest(repo, manifest.digest)).toBeDefined();
    });

    it('asks peers for nothing when every blob is here', async () => {
      await push(buildOciManifest());
      expect(blobs.fetches).toEqual([]);
    });

    it('asks for each blob once and not for foreign layers', async () => {
      const layer = buildBlob('layer');
      const manifest = built(
        {
          schemaVersion: 2,
          mediaType: mediaTypes.dockerManifest,
          config: { mediaType: mediaTypes.dockerConfig, ...buildBlob('config') },
          layers: [
            { mediaType: mediaTypes.dockerLayer, ...layer },
            { mediaType: mediaTypes.dockerLayer, ...layer },
            {
              mediaType: mediaTypes.dockerForeignLayer,
              ...buildBlob('windows base'),
              urls: ['https://example.com/layer'],
            },
          ],
        },
        mediaTypes.dockerManifest,
      );
      blobs.add(repo, buildBlob('config'), layer);

      await sut.put({ repository: repo, reference: 'v1', body: manifest.base64 }, context);

      expect(blobs.calls).toEqual([
        { repository: repo, digests: [buildBlob('config').digest, layer.digest] },
      ]);
      expect(manifests.events[0]!.payload['references']).toEqual({
        blobs: [buildBlob('config'), layer],
        manifests: [],
      });
    });

    it('refuses a layer declared with another size than the blob has, storing nothing', async () => {
      const layer = buildBlob('layer');
      const manifest = buildOciManifest({ layers: [{ ...layer, size: layer.size + 100 }] });
      blobs.add(repo, buildBlob('config'), layer);

      await expect(
        sut.put({ repository: repo, reference: 'v1', body: manifest.base64 }, context),
      ).rejects.toMatchObject({
        code: 'MANIFEST_INVALID',
        detail: { digest: layer.digest, declared: layer.size + 100, actual: layer.size },
      });
      expect(manifests.manifest(repo, manifest.digest)).toBeUndefined();
    });

    it('refuses an index whose child is declared with another size than it has', async () => {
      const child = buildOciManifest({ layers: [buildBlob('amd64')] });
      await push(child);
      const index = buildOciIndex([{ ...child, size: 100 }]);

      await expect(
        sut.put({ repository: repo, reference: 'multi', body: index.base64 }, context),
      ).rejects.toMatchObject({ code: 'MANIFEST_INVALID', detail: { declared: 100 } });
      expect(manifests.manifest(repo, index.digest)).toBeUndefined();
    });

    it('stores an index whose children are in the repository, listing them as references', async () => {
      const amd64 = buildOciManifest({ layers: [buildBlob('amd64')] });
      const arm64 = buildOciManifest({ layers: [buildBlob('arm64')] });
      await push(amd64);
      await push(arm64);
      const index = buildOciIndex([amd64, arm64]);

      const answer = await sut.put(
        { repository: repo, reference: 'multi', body: index.base64 },
        context,
      );

      expect(answer).toEqual({
        digest: index.digest,
        mediaType: mediaTypes.ociIndex,
        size: index.size,
      });
      expect(
        manifests.events.findLast((e) => e.name === 'manifest.pushed.v1')!.payload,
      ).toMatchObject({
        digest: index.digest,
        references: { blobs: [], manifests: [amd64.digest, arm64.digest] },
      });
    });

    it('refuses an index with a child that is not in the repository as MANIFEST_BLOB_UNKNOWN', async () => {
      const present = buildDockerManifest();
      const absent = buildDockerManifest({ layers: [buildBlob('absent')] });
      await push(present);
      const eventsBefore = manifests.events.length;
      const list = buildDockerList([present, absent]);

      const err = await rejection(
        sut.put({ repository: repo, reference: 'v1', body: list.base64 }, context),
      );

      expect(err).toMatchObject({
        code: 'MANIFEST_BLOB_UNKNOWN',
        detail: { missing: [absent.digest] },
      });
      expect(blobs.childFetches).toEqual([{ repository: repo, digests: [absent.digest] }]);
      expect(manifests.manifest(repo, list.digest)).toBeUndefined();
      expect(manifests.tag(repo, 'v1')).toBeUndefined();
      expect(manifests.events).toHaveLength(eventsBefore);
    });

    it('has children only a peer region holds stored here first, then accepts the index', async () => {
      const present = buildOciManifest({ layers: [buildBlob('present')] });
      const atPeer = buildOciManifest({ layers: [buildBlob('at a peer')] });
      await push(present);
      // the replication service stores the peer's child here as an untagged push
      blobs.onChildFetch = async () => {
        await push(atPeer);
      };
      const index = buildOciIndex([present, atPeer]);

      await sut.put({ repository: repo, reference: 'multi', body: index.base64 }, context);

      expect(blobs.childFetches).toEqual([{ repository: repo, digests: [atPeer.digest] }]);
      expect(manifests.manifest(repo, atPeer.digest)).toBeDefined();
      expect(manifests.tag(repo, 'multi')?.digest).toBe(index.digest);
    });

    it('asks peers for no child when every child is here', async () => {
      const amd64 = buildOciManifest({ layers: [buildBlob('amd64 here')] });
      await push(amd64);
      await sut.put(
        { repository: repo, reference: 'multi', body: buildOciIndex([amd64]).base64 },
        context,
      );
      expect(blobs.childFetches).toEqual([]);
    });

    it('stores an artifact whose subject does not exist yet and answers the subject', async () => {
      const subject = buildOciManifest({ layers: [buildBlob('never pushed')] });
      const artifact = buildArtifact({ artifactType: 'application/spdx+json', subject });

      const answer = await push(artifact);

      expect(answer.subject).toBe(subject.digest);
      expect(manifests.manifest(repo, artifact.digest)).toMatchObject({
        subject: subject.digest,
        artifactType: 'application/spdx+json',
      });
      expect(manifests.events[0]!.payload).toMatchObject({
        subject: subject.digest,
        artifactType: 'application/spdx+json',
      });
    });

    it('gives a Docker manifest no artifactType', async () => {
      const manifest = buildDockerManifest();

      await push(manifest);

      expect(manifests.manifest(repo, manifest.digest)?.artifactType).toBeUndefined();
      expect(manifests.events[0]!.payload).not.toHaveProperty('artifactType');
    });
  });

  describe('get', () => {
    it('answers a manifest by tag and by digest, with the exact bytes only when asked', async () => {
      const manifest = buildOciManifest();
      await push(manifest, 'v1');

      const byTag = await sut.get({ repository: repo, reference: 'v1', includeBody: true });
      const byDigest = await sut.get({
        repository: repo,
        reference: manifest.digest,
        includeBody: false,
      });

      expect(byTag).toEqual({
        digest: manifest.digest,
        mediaType: mediaTypes.ociManifest,
        size: manifest.size,
        body: manifest.base64,
      });
      expect(byDigest).toEqual({
        digest: manifest.digest,
        mediaType: mediaTypes.ociManifest,
        size: manifest.size,
      });
    });

    it('answers NAME_UNKNOWN for an unknown repository and MANIFEST_UNKNOWN for an unknown reference', async () => {
      await push(buildOciManifest(), 'v1');

      expect(
        (await rejection(sut.get({ repository: 'no/such', reference: 'v1', includeBody: true })))
          .code,
      ).toBe('NAME_UNKNOWN');
      expect(
        (await rejection(sut.get({ repository: repo, reference: 'v2', includeBody: true }))).code,
      ).toBe('MANIFEST_UNKNOWN');
      const unknownDigest = buildOciManifest({ layers: [] }).digest;
      expect(
        (
          await rejection(
            sut.get({ repository: repo, reference: unknownDigest, includeBody: true }),
          )
        ).code,
      ).toBe('MANIFEST_UNKNOWN');
    });
  });

  describe('delete', () => {
    it('deletes a manifest by digest with every tag pointing to it, and lists them in the event', async () => {
      const manifest = buildOciManifest();
      const other = buildOciManifest({ layers: [buildBlob('other')] });
      await push(manifest, 'v1');
      await push(manifest, 'latest');
      await push(other, 'v2');

      await sut.delete({ repository: repo, reference: manifest.digest }, context);

      expect(manifests.manifest(repo, manifest.digest)).toBeUndefined();
      expect(manifests.tag(repo, 'v1')).toBeUndefined();
      expect(manifests.tag(repo, 'latest')).toBeUndefined();
      expect(manifests.tag(repo, 'v2')?.digest).toBe(other.digest);
      expect(manifests.events.at(-1)).toMatchObject({
        name: 'manifest.deleted.v1',
        payload: {
          repository: repo,
          digest: manifest.digest,
          tags: ['latest', 'v1'],
          actor: context.actor,
        },
      });
      // a late push from another region, older than this delete, cannot bring it back
      expect(manifests.tombstone(repo, { kind: 'digest', digest: manifest.digest })).toBe(
        manifests.events.at(-1)!.payload['hlc'],
      );
      // soft delete's copy is asked for with the delete's own reading
      expect(manifests.keptRestorable).toEqual([
        { repository: repo, digest: manifest.digest, hlc: manifests.events.at(-1)!.payload['hlc'] },
      ]);
    });

    it('deletes a tag by name and keeps the manifest', async () => {
      const manifest = buildOciManifest();
      await push(manifest, 'v1');

      await sut.delete({ repository: repo, reference: 'v1' }, context);

      expect(manifests.tag(repo, 'v1')).toBeUndefined();
      expect(manifests.manifest(repo, manifest.digest)).toBeDefined();
      expect(manifests.events.at(-1)).toMatchObject({
        name: 'tag.deleted.v1',
        payload: { repository: repo, tag: 'v1', digest: manifest.digest },
      });
      expect(manifests.tombstone(repo, { kind: 'tag', tag: 'v1' })).toBe(
        manifests.events.at(-1)!.payload['hlc'],
      );
    });

    it('keeps the referrers of a deleted manifest', async () => {
      const subject = buildOciManifest();
      const signature = buildArtifact({
        artifactType: 'application/vnd.example.signature',
        subject,
      });
      await push(subject);
      await push(signature);

      await sut.delete({ repository: repo, reference: subject.digest }, context);

      expect(manifests.manifest(repo, signature.digest)).toBeDefined();
    });

    it('answers MANIFEST_UNKNOWN or NAME_UNKNOWN and announces nothing when there is nothing to delete', async () => {
      const manifest = buildOciManifest();
      await push(manifest);
      const eventsBefore = manifests.events.length;

      expect(
        (await rejection(sut.delete({ repository: repo, reference: 'v9' }, context))).code,
      ).toBe('MANIFEST_UNKNOWN');
      await sut.delete({ repository: repo, reference: manifest.digest }, context);
      expect(
        (await rejection(sut.delete({ repository: repo, reference: manifest.digest }, context)))
          .code,
      ).toBe('MANIFEST_UNKNOWN');
      expect(
        (await rejection(sut.delete({ repository: 'no/such', reference: 'v1' }, context))).code,
      ).toBe('NAME_UNKNOWN');
      expect(manifests.events).toHaveLength(eventsBefore + 1);
    });

    it('makes the miss of what it deleted say so, and only that miss, until a push brings it back', async () => {
      const manifest = buildOciManifest();
      const other = buildOciManifest({ annotations: { other: 'yes' } });
      await push(manifest, 'v1');
      await push(other, 'v2');
      await sut.delete({ repository: repo, reference: 'v2' }, context);
      await sut.delete({ repository: repo, reference: manifest.digest }, context);
      const get = (reference: string) =>
        rejection(sut.get({ repository: repo, reference, includeBody: false }));

      for (const reference of ['v2', manifest.digest])
        expect(await get(reference)).toMatchObject({
          code: 'MANIFEST_UNKNOWN',
          detail: { reference, deleted: true },
        });
      // never written here: a peer region may have it
      expect((await get('v3')).detail).toEqual({ reference: 'v3' });

      await push(manifest, 'v2');
      await expect(
        sut.get({ repository: repo, reference: 'v2', includeBody: false }),
      ).resolves.toMatchObject({ digest: manifest.digest });
    });
  });

  describe('locks', () => {
    // lock changes a peer region made, ahead of this region's clock
    const future = formatHlc({ wallMs: 1_800_000_000_000, counter: 0, region: 'eu-west' });
    const later = formatHlc({ wallMs: 1_800_000_000_000, counter: 1, region: 'eu-west' });

    it('refuses a push into a write-locked repository, storing and announcing nothing', async () => {
      manifests.setLock(repo, { kind: 'repository' }, { writeEnabled: false }, future);
      const manifest = buildOciManifest();

      const err = await rejection(push(manifest, 'v1'));
      expect(err).toMatchObject({
        code: 'DENIED',
        message: `repository "${repo}" is locked: writeEnabled is false`,
      });
      expect(manifests.manifest(repo, manifest.digest)).toBeUndefined();
      expect(manifests.events).toEqual([]);
    });

    it('stamps a push after the newest lock change it passed', async () => {
      manifests.setLock(repo, { kind: 'tag', tag: 'other' }, { writeEnabled: false }, future);
      await push(buildOciManifest(), 'v1');
      expect(compareHlc(manifests.tag(repo, 'v1')!.hlc, future)).toBe(1);
    });

    it('refuses pulling a read-locked tag, and deleting a delete-locked one', async () => {
      const manifest = buildOciManifest();
      await push(manifest, 'v1');
      manifests.setLock(repo, { kind: 'tag', tag: 'v1' }, { readEnabled: false }, future);
      manifests.setLock(repo, { kind: 'tag', tag: 'v1' }, { deleteEnabled: false }, later);

      await expect(
        rejection(sut.get({ repository: repo, reference: 'v1', includeBody: false })),
      ).resolves.toMatchObject({ code: 'DENIED', detail: { tag: 'v1', attribute: 'readEnabled' } });
      await expect(
        sut.get({ repository: repo, reference: manifest.digest, includeBody: false }),
      ).resolves.toMatchObject({ digest: manifest.digest });
      await expect(
        rejection(sut.delete({ repository: repo, reference: manifest.digest }, context)),
      ).resolves.toMatchObject({
        code: 'DENIED',
        detail: { tag: 'v1', attribute: 'deleteEnabled' },
      });
      expect(manifests.tagsOf(repo)).toEqual({ v1: manifest.digest });
    });
  });
});
