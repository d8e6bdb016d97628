import type { TagUpdated } from '@meridian/contracts';
import { mediaTypes } from '@meridian/oci';
import { expectEventually } from '@meridian/testing';
import {
  type BuiltManifest,
  blobsOf,
  buildArtifact,
  buildBlob,
  buildDockerList,
  buildDockerManifest,
  buildOciIndex,
  buildOciManifest,
} from './build-manifest';
import { ManifestServiceHarness, type StreamEvent } from './manifest-service.harness';

interface Kind {
  name: string;
  /** manifests that must be in the repository first (an index's children) */
  children: BuiltManifest[];
  manifest: BuiltManifest;
  subject?: string;
}

function kinds(label: string): Kind[] {
  const amd64 = buildOciManifest({ layers: [buildBlob(`${label} amd64`)] });
  const arm64 = buildOciManifest({ layers: [buildBlob(`${label} arm64`)] });
  const dockerAmd64 = buildDockerManifest({ layers: [buildBlob(`${label} docker amd64`)] });
  const dockerArm64 = buildDockerManifest({ layers: [buildBlob(`${label} docker arm64`)] });
  const subject = buildOciManifest({ layers: [buildBlob(`${label} subject`)] });
  return [
    {
      name: 'an OCI image manifest',
      children: [],
      manifest: buildOciManifest({ layers: [buildBlob(label)] }),
    },
    {
      name: 'an OCI image index',
      children: [amd64, arm64],
      manifest: buildOciIndex([amd64, arm64]),
    },
    {
      name: 'a Docker schema 2 manifest',
      children: [],
      manifest: buildDockerManifest({ layers: [buildBlob(label)] }),
    },
    {
      name: 'a Docker manifest list',
      children: [dockerAmd64, dockerArm64],
      manifest: buildDockerList([dockerAmd64, dockerArm64]),
    },
    {
      name: 'an artifact with a subject',
      children: [],
      manifest: buildArtifact({
        artifactType: 'application/spdx+json',
        subject,
        layers: [buildBlob(label)],
      }),
      subject: subject.digest,
    },
  ];
}

function payloads(events: StreamEvent[], repository: string) {
  return events.filter((event) => event.payload['repository'] === repository);
}

describe('manifest service: manifests', () => {
  let sut: ManifestServiceHarness;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_manifests');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  describe.each(['tag', 'digest'] as const)('pushed by %s', (by) => {
    it.each(kinds(`by ${by}`))('stores and serves $name with its exact bytes', async (kind) => {
      const repository = `kinds/by-${by}`;
      for (const child of kind.children) await sut.push(repository, child);
      const reference = by === 'tag' ? 'v1' : kind.manifest.digest;

      const answer = await sut.push(repository, kind.manifest, reference);

      expect(answer).toEqual({
        digest: kind.manifest.digest,
        mediaType: kind.manifest.mediaType,
        size: kind.manifest.size,
        ...(kind.subject ? { subject: kind.subject } : {}),
      });
      for (const ref of [reference, kind.manifest.digest]) {
        await expect(sut.get(repository, ref)).resolves.toEqual({
          digest: kind.manifest.digest,
          mediaType: kind.manifest.mediaType,
          size: kind.manifest.size,
          body: kind.manifest.base64,
        });
      }
      await expect(sut.get(repository, reference, false)).resolves.toEqual({
        digest: kind.manifest.digest,
        mediaType: kind.manifest.mediaType,
        size: kind.manifest.size,
      });
      const pushed = await expectEventually(() => {
        const found = sut
          .eventsNamed('manifest.pushed.v1')
          .filter(
            (event) =>
              event.payload['repository'] === repository &&
              event.payload['digest'] === kind.manifest.digest,
          );
        expect(found).toHaveLength(1);
        return found[0]!;
      });
      expect(pushed.payload).toMatchObject({
        size: kind.manifest.size,
        mediaType: kind.manifest.mediaType,
        references: {
          blobs: blobsOf(kind.manifest),
          manifests: kind.children.map((child) => child.digest),
        },
        ...(by === 'tag' ? { tag: 'v1' } : {}),
        ...(kind.subject ? { subject: kind.subject, artifactType: 'application/spdx+json' } : {}),
      });
    });
  });

  describe('refuses bad input and changes nothing', () => {
    const repository = 'bad/input';
    const good = buildOciManifest({ layers: [buildBlob('bad input layer')] });

    beforeAll(() => sut.blobs.add(repository, ...blobsOf(good)));

    it('malformed JSON', async () => {
      const body = Buffer.from('{"schemaVersion": 2, "layers": [').toString('base64');
      await expect(sut.put({ repository, reference: 'v1', body })).rejects.toMatchObject({
        code: 'MANIFEST_INVALID',
      });
    });

    it('a Content-Type naming another manifest type', async () => {
      await expect(
        sut.put({
          repository,
          reference: 'v1',
          body: good.base64,
          contentType: mediaTypes.ociIndex,
        }),
      ).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    });

    it('a blob the repository does not see', async () => {
      const missing = buildBlob('never uploaded');
      const manifest = buildOciManifest({ layers: [buildBlob('bad input layer'), missing] });
      await expect(
        sut.put({ repository, reference: 'v1', body: manifest.base64 }),
      ).rejects.toMatchObject({
        code: 'MANIFEST_BLOB_UNKNOWN',
        detail: { missing: [missing.digest] },
      });
    });

    it('a blob another repository sees', async () => {
      const elsewhere = buildBlob('in another repository');
      sut.blobs.add('other/repo', elsewhere);
      const manifest = buildOciManifest({ layers: [elsewhere] });
      sut.blobs.add(repository, buildBlob('config'));
      await expect(
        sut.put({ repository, reference: 'v1', body: manifest.base64 }),
      ).rejects.toMatchObject({
        code: 'MANIFEST_BLOB_UNKNOWN',
        detail: { missing: [elsewhere.digest] },
      });
    });

    it('a child manifest that is not in the repository', async () => {
      const index = buildOciIndex([good]);
      await expect(
        sut.put({ repository, reference: 'v1', body: index.base64 }),
      ).rejects.toMatchObject({
        code: 'MANIFEST_BLOB_UNKNOWN',
        detail: { missing: [good.digest] },
      });
    });

    it('a body whose digest is not the reference', async () => {
      const other = buildOciManifest({ layers: [buildBlob('other')] });
      await expect(
        sut.put({ repository, reference: other.digest, body: good.base64 }),
      ).rejects.toMatchObject({
        code: 'DIGEST_INVALID',
      });
    });

    it('left no repository, manifest or event behind', async () => {
      await expect(sut.get(repository, good.digest)).rejects.toMatchObject({
        code: 'NAME_UNKNOWN',
      });
      // the relay publishes in commit order: once a later push is out, an earlier one would be too
      const marker = buildOciManifest({ layers: [buildBlob('marker')] });
      await sut.push('bad/marker', marker);
      await expectEventually(() =>
        expect(payloads(sut.eventsNamed('manifest.pushed.v1'), 'bad/marker')).toHaveLength(1),
      );
      expect(payloads(sut.events, repository)).toEqual([]);
    });
  });

  it('moves a tag, announcing the digest it pointed to before, with the clock stored on the tag', async () => {
    const repository = 'tags/move';
    const first = buildOciManifest({ layers: [buildBlob('first')] });
    const second = buildOciManifest({ layers: [buildBlob('second')] });
    await sut.push(repository, first, 'latest');

    await sut.push(repository, second, 'latest');

    await expect(sut.get(repository, 'latest')).resolves.toMatchObject({ digest: second.digest });
    const updates = await expectEventually(() => {
      const found = payloads(sut.eventsNamed('tag.updated.v1'), repository);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(updates[0]!.payload).not.toHaveProperty('previousDigest');
    expect(updates[1]!.payload).toMatchObject({
      tag: 'latest',
      digest: second.digest,
      previousDigest: first.digest,
      mediaType: mediaTypes.ociManifest,
      actor: { name: 'ci' },
    });
    const [row] = await sut.sql<{ hlc: string }[]>`
      select hlc from manifest.tags where repository = ${repository} and name = 'latest'`;
    expect(row!.hlc).toBe(updates[1]!.payload['hlc']);
  });

  it('settles concurrent pushes of one new tag into one chain of tag updates', async () => {
    const repository = 'tags/race';
    const manifests = Array.from({ length: 6 }, (_, i) =>
      buildOciManifest({ layers: [buildBlob(`race ${i}`)] }),
    );

    await Promise.all(manifests.map((manifest) => sut.push(repository, manifest, 'latest')));

    const updates = await expectEventually(() => {
      const found = payloads(sut.eventsNamed('tag.updated.v1'), repository);
      expect(found).toHaveLength(manifests.length);
      return found.map((event) => event.payload as unknown as TagUpdated);
    });
    // each push saw the one before it: one creation, then each digest replaced exactly once
    expect(updates.filter((update) => update.previousDigest === undefined)).toHaveLength(1);
    const replaced = updates.flatMap((update) => update.previousDigest ?? []);
    expect(new Set(replaced).size).toBe(manifests.length - 1);
    const current = updates.find((update) => !replaced.includes(update.digest))!;
    await expect(sut.get(repository, 'latest')).resolves.toMatchObject({ digest: current.digest });
  });

  it('deletes a manifest by digest with every tag pointing to it', async () => {
    const repository = 'delete/digest';
    const manifest = buildOciManifest({ layers: [buildBlob('doomed')] });
    const kept = buildOciManifest({ layers: [buildBlob('kept')] });
    await sut.push(repository, manifest, 'v1');
    await sut.push(repository, manifest, 'stable');
    await sut.push(repository, kept, 'v2');

    await expect(sut.delete(repository, manifest.digest)).resolves.toEqual({});

    // deleted here: the miss says so, and the gateway asks no peer region for it
    await expect(sut.get(repository, manifest.digest)).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
      detail: { reference: manifest.digest, deleted: true },
    });
    await expect(sut.get(repository, 'v1')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    await expect(sut.get(repository, 'stable')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    await expect(sut.get(repository, 'v2')).resolves.toMatchObject({ digest: kept.digest });
    await expect(sut.get(repository, 'v9')).rejects.toHaveProperty('detail', { reference: 'v9' });
    const deleted = await expectEventually(() => {
      const found = payloads(sut.eventsNamed('manifest.deleted.v1'), repository);
      expect(found).toHaveLength(1);
      return found[0]!;
    });
    expect(deleted.payload).toMatchObject({ digest: manifest.digest, tags: ['stable', 'v1'] });
    await expect(sut.delete(repository, manifest.digest)).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
  });

  it('deletes a tag and keeps its manifest', async () => {
    const repository = 'delete/tag';
    const manifest = buildOciManifest({ layers: [buildBlob('untagged')] });
    await sut.push(repository, manifest, 'v1');

    await sut.delete(repository, 'v1');

    await expect(sut.get(repository, 'v1')).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
      detail: { reference: 'v1', deleted: true },
    });
    await expect(sut.get(repository, manifest.digest)).resolves.toMatchObject({
      digest: manifest.digest,
    });
    await expect(sut.delete(repository, 'v1')).rejects.toMatchObject({ code: 'MANIFEST_UNKNOWN' });
    await expect(sut.delete('no/such', 'v1')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    await expectEventually(() =>
      expect(
        payloads(sut.eventsNamed('tag.deleted.v1'), repository).map((event) => event.payload),
      ).toEqual([expect.objectContaining({ tag: 'v1', digest: manifest.digest })]),
    );
  });

  it('puts every change on the region stream exactly once, in commit order', async () => {
    const repository = 'events/once';
    const first = buildOciManifest({ layers: [buildBlob('once 1')] });
    const second = buildOciManifest({ layers: [buildBlob('once 2')] });
    await sut.push(repository, first, 'v1');
    await sut.push(repository, second, 'v1');
    await sut.push(repository, second, 'v1');
    await sut.delete(repository, 'v1');
    await sut.delete(repository, first.digest);

    const expected = [
      'manifest.pushed.v1',
      'replication.completed.v1',
      'tag.updated.v1',
      'manifest.pushed.v1',
      'replication.completed.v1',
      'tag.updated.v1',
      'manifest.pushed.v1',
      'replication.completed.v1',
      'tag.deleted.v1',
      'manifest.deleted.v1',
    ];
    await expectEventually(() =>
      expect(payloads(sut.events, repository).map((event) => event.name)).toEqual(expected),
    );
    await expectEventually(async () =>
      expect((await sut.sql`select count(*)::int as n from manifest.outbox`)[0]!['n']).toBe(0),
    );
    expect(await sut.streamMessageCount()).toBe(sut.events.length);
    const ids = sut.events.map((event) => event.payload['eventId']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const event of sut.events) {
      expect(event.msgId).toBe(event.payload['eventId']);
      expect(event.payload['originRegion']).toBe('us-east');
    }
  });
});
