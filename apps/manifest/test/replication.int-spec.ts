import { RegistryError, compareHlc, manifestRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import {
  type ApplyRequest,
  at,
  inRepository,
  manifestDeleted,
  pushed,
  repositoryDeleted,
  tagDeleted,
  tagUpdated,
} from './build-events';
import { lockRepository } from '../src/manifests/lock-repository';
import {
  type BuiltManifest,
  blobsOf,
  buildArtifact,
  buildBlob,
  buildOciIndex,
  buildOciManifest,
} from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

const x = buildOciManifest({ layers: [buildBlob('apply x')] });
const y = buildOciManifest({ layers: [buildBlob('apply y')] });
const z = buildOciManifest({ layers: [buildBlob('apply z')] });

/** Deterministic shuffles (a linear congruential generator), so a failing order can be rerun. */
function shuffled<T>(items: T[], seed: number): T[] {
  const result = [...items];
  let state = seed;
  for (let i = result.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

/** Codes the replication service answers by retrying the event later. */
const waitsForPrerequisites = new Set(['MANIFEST_UNKNOWN', 'MANIFEST_BLOB_UNKNOWN']);

describe('manifest service: applying other regions’ events', () => {
  let sut: ManifestServiceHarness;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_replication');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  function linkBlobs(repository: string, ...manifests: BuiltManifest[]): void {
    for (const manifest of manifests) sut.blobs.add(repository, ...blobsOf(manifest));
  }

  /** Applies every request, putting back those whose prerequisites have not arrived yet. */
  async function applyEventually(requests: ApplyRequest[]): Promise<void> {
    const queue = [...requests];
    for (let round = 0; queue.length > 0; round++) {
      if (round > requests.length * requests.length) throw new Error('events never settled');
      const request = queue.shift()!;
      try {
        await sut.apply(request);
      } catch (err) {
        if (!(err instanceof RegistryError) || !waitsForPrerequisites.has(err.code)) throw err;
        queue.push(request);
      }
    }
  }

  it('ends with the same tags and manifests whatever order two regions’ events arrive in', async () => {
    const scenario = [
      // a tie on wall time: eu-west sorts after ap-south
      pushed('', x, at(1000, 'eu-west'), 'latest'),
      pushed('', y, at(1000, 'ap-south'), 'latest'),
      // a tag deleted, then set again by a newer push
      pushed('', x, at(1100, 'eu-west'), 'stable'),
      tagDeleted('', x, at(1200, 'ap-south'), 'stable'),
      pushed('', y, at(1300, 'eu-west'), 'stable'),
      // a manifest pushed, moved to by a tag update, then deleted with its tags
      pushed('', z, at(1400, 'ap-south'), 'old'),
      tagUpdated('', z, at(1450, 'eu-west'), 'moved'),
      manifestDeleted('', z, at(1500, 'eu-west'), ['moved', 'old']),
    ];
    const orders = [0, 1, 2, 3, 4, 5, 6, 7].map((seed) => shuffled(scenario, seed + 1));
    const results = [];
    for (const [i, order] of orders.entries()) {
      const repository = `converge/order-${i}`;
      linkBlobs(repository, x, y, z);
      await applyEventually(order.map((request) => inRepository(request, repository)));
      results.push({
        tags: await sut.tagsOf(repository),
        manifests: await sut.manifestsOf(repository),
      });
    }

    for (const result of results) {
      expect(result).toEqual({
        tags: { latest: x.digest, stable: y.digest },
        manifests: [x.digest, y.digest].sort(),
      });
    }
  });

  it('keeps the newest of many concurrent writes of one tag', async () => {
    const repository = 'converge/concurrent';
    const manifests = Array.from({ length: 12 }, (_, i) =>
      buildOciManifest({ layers: [buildBlob(`concurrent ${i}`)] }),
    );
    linkBlobs(repository, ...manifests);
    // every manifest is stored first, so each write below only races for the tag
    await Promise.all(manifests.map((m, i) => sut.apply(pushed(repository, m, at(100 + i)))));
    const writes = manifests.flatMap((m, i) => [
      tagUpdated(repository, m, at(1000 + i * 10, i % 2 ? 'eu-west' : 'ap-south'), 'hot'),
      tagDeleted(repository, m, at(1005 + i * 10, 'eu-west'), 'hot'),
    ]);
    const newestSet = manifests.at(-1)!;
    writes.push(tagUpdated(repository, newestSet, at(5000, 'ap-south'), 'hot'));

    await Promise.all(shuffled(writes, 7).map((write) => sut.apply(write)));

    expect(await sut.tagsOf(repository)).toEqual({ hot: newestSet.digest });
    const [row] = await sut.sql<{ hlc: string }[]>`
      select hlc from manifest.tags where repository = ${repository} and name = 'hot'`;
    expect(row!.hlc).toBe(at(5000, 'ap-south'));
    const [tombstone] = await sut.sql<{ hlc: string }[]>`
      select hlc from manifest.tag_tombstones where repository = ${repository} and name = 'hot'`;
    expect(tombstone!.hlc).toBe(at(1005 + 11 * 10, 'eu-west'));
  });

  it('lets a concurrent newer delete win over older tag writes', async () => {
    const repository = 'converge/concurrent-delete';
    linkBlobs(repository, x, y);
    await sut.apply(pushed(repository, x, at(100)));
    await sut.apply(pushed(repository, y, at(100)));

    await Promise.all(
      shuffled(
        [
          tagUpdated(repository, x, at(1000, 'eu-west'), 'v1'),
          tagDeleted(repository, x, at(3000, 'ap-south'), 'v1'),
          tagUpdated(repository, y, at(2000, 'eu-west'), 'v1'),
          tagUpdated(repository, y, at(2500, 'ap-south'), 'v1'),
        ],
        3,
      ).map((write) => sut.apply(write)),
    );

    expect(await sut.tagsOf(repository)).toEqual({});
  });

  it('applies an index once its children are here, and an artifact among its subject’s referrers', async () => {
    const repository = 'converge/kinds';
    const index = buildOciIndex([x, y]);
    const signature = buildArtifact({
      artifactType: 'application/vnd.example.signature',
      subject: index,
    });
    linkBlobs(repository, x, y, signature);

    await expect(sut.apply(pushed(repository, index, at(1000), 'multi'))).rejects.toMatchObject({
      code: 'MANIFEST_BLOB_UNKNOWN',
      detail: { missing: [x.digest, y.digest] },
    });
    await sut.apply(pushed(repository, signature, at(1300)));
    await sut.apply(pushed(repository, x, at(900)));
    await sut.apply(pushed(repository, y, at(900)));
    await expect(sut.apply(pushed(repository, index, at(1000), 'multi'))).resolves.toEqual({
      outcome: 'applied',
    });

    await expect(sut.get(repository, 'multi')).resolves.toMatchObject({
      digest: index.digest,
      body: index.base64,
    });
    const { manifests } = await sut.client.request(manifestRpc.referrers, {
      repository,
      digest: index.digest,
    });
    expect(manifests).toEqual([
      expect.objectContaining({
        digest: signature.digest,
        artifactType: 'application/vnd.example.signature',
      }),
    ]);
  });

  it('applies an event only while no other write holds the repository', async () => {
    const repository = 'converge/locked';
    linkBlobs(repository, x);
    await sut.apply(pushed(repository, x, at(100)));

    let applied: Promise<unknown> | undefined;
    await sut.sql.begin(async (tx) => {
      await lockRepository(tx, repository);
      applied = sut.apply(tagUpdated(repository, x, at(1000), 'v1'));
      await expectEventually(async () => {
        const waiting = await sut.sql`
          select 1 from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'
            and wait_event = 'advisory'`;
        expect(waiting).toHaveLength(1);
      });
      expect(await tx`select 1 from manifest.tags where repository = ${repository}`).toHaveLength(
        0,
      );
    });

    await expect(applied).resolves.toEqual({ outcome: 'applied' });
    expect(await sut.tagsOf(repository)).toEqual({ v1: x.digest });
  });

  it('never brings back a manifest deleted here after the push, and revives it on a newer push', async () => {
    const repository = 'converge/local-delete';
    await sut.push(repository, x, 'v1');
    await sut.delete(repository, x.digest);
    const [tombstone] = await sut.sql<{ hlc: string }[]>`
      select hlc from manifest.manifest_tombstones
      where repository = ${repository} and digest = ${x.digest}`;
    expect(tombstone).toBeDefined();

    const late = pushed(repository, x, at(1000, 'eu-west'), 'v1');
    await expect(sut.apply(late)).resolves.toEqual({ outcome: 'superseded' });
    expect(await sut.manifestsOf(repository)).toEqual([]);

    const newer = pushed(repository, x, at(Date.now() + 60_000, 'eu-west'), 'v2');
    await expect(sut.apply(newer)).resolves.toEqual({ outcome: 'applied' });
    expect(await sut.tagsOf(repository)).toEqual({ v2: x.digest });
  });

  it('keeps a manifest that a tag written after its delete points to', async () => {
    const repository = 'converge/tagged-after';
    linkBlobs(repository, x);
    await sut.apply(pushed(repository, x, at(900)));
    await sut.apply(tagUpdated(repository, x, at(2000), 'v1'));

    await expect(sut.apply(manifestDeleted(repository, x, at(1500), []))).resolves.toEqual({
      outcome: 'superseded',
    });
    await expect(sut.apply(repositoryDeleted(repository, at(1600)))).resolves.toEqual({
      outcome: 'superseded',
    });

    expect(await sut.tagsOf(repository)).toEqual({ v1: x.digest });
  });

  it('deletes a repository’s older writes and keeps what was written after the delete', async () => {
    const repository = 'converge/repository';
    linkBlobs(repository, x, y);
    await sut.apply(pushed(repository, x, at(1000), 'x'));
    await sut.apply(pushed(repository, y, at(3000), 'y'));

    await expect(sut.apply(repositoryDeleted(repository, at(2000)))).resolves.toEqual({
      outcome: 'superseded',
    });
    expect(await sut.tagsOf(repository)).toEqual({ y: y.digest });
    expect(await sut.manifestsOf(repository)).toEqual([y.digest]);

    await sut.apply(repositoryDeleted(repository, at(4000)));
    await expect(sut.get(repository, 'y')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
    await expect(sut.apply(pushed(repository, x, at(3500), 'x'))).resolves.toEqual({
      outcome: 'superseded',
    });
    await expect(sut.get(repository, 'x')).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
  });

  it('refuses a body that is not its digest, and waits for blobs not linked yet', async () => {
    const repository = 'converge/refused';
    const forged = pushed(repository, x, at(1000), 'v1');
    const body = { ...forged.event, body: y.base64 };
    await expect(sut.apply({ ...forged, event: body } as ApplyRequest)).rejects.toMatchObject({
      code: 'DIGEST_INVALID',
    });
    await expect(sut.apply(forged)).rejects.toMatchObject({
      code: 'MANIFEST_BLOB_UNKNOWN',
      detail: { missing: blobsOf(x).map((blob) => blob.digest) },
    });
    linkBlobs(repository, x);
    await expect(sut.apply(forged)).resolves.toEqual({ outcome: 'applied' });
  });

  it('writes no event for what it applies, and stamps later local pushes after it', async () => {
    const repository = 'converge/silent';
    linkBlobs(repository, x, y);
    const ahead = at(Date.now() + 3_600_000, 'eu-west');
    await sut.apply(pushed(repository, x, ahead, 'remote'));

    await sut.push(repository, y, 'local');

    await expectEventually(() =>
      expect(
        sut.events.filter((event) => event.payload['repository'] === repository).map((e) => e.name),
      ).toEqual(['manifest.pushed.v1', 'replication.completed.v1', 'tag.updated.v1']),
    );
    const local = sut.eventsNamed('manifest.pushed.v1').at(-1)!.payload;
    expect(local['digest']).toBe(y.digest);
    expect(compareHlc(local['hlc'] as string, ahead)).toBe(1);
  });

  it('stamps a local push after the newest write of its tag, even one its clock never saw', async () => {
    const repository = 'converge/other-replica';
    linkBlobs(repository, x);
    const ahead = at(Date.now() + 7_200_000, 'eu-west');
    // what another replica of the service, whose clock saw `ahead`, left behind
    await sut.apply(pushed(repository, x, at(100)));
    await sut.sql`
      insert into manifest.tags (repository, name, digest, hlc)
      values (${repository}, 'v1', ${x.digest}, ${ahead})`;

    await sut.push(repository, y, 'v1');

    const [tag] = await sut.sql<{ digest: string; hlc: string }[]>`
      select digest, hlc from manifest.tags where repository = ${repository} and name = 'v1'`;
    expect(tag!.digest).toBe(y.digest);
    expect(compareHlc(tag!.hlc, ahead)).toBe(1);
  });

  it('writes replication.completed for its own region with the push it completes', async () => {
    const repository = 'converge/completed';
    await sut.push(repository, z, 'v1');

    await expectEventually(() =>
      expect(
        sut
          .eventsNamed('replication.completed.v1')
          .filter((e) => e.payload['repository'] === repository),
      ).toHaveLength(1),
    );
    const push = sut
      .eventsNamed('manifest.pushed.v1')
      .find((e) => e.payload['repository'] === repository)!.payload;
    const completed = sut
      .eventsNamed('replication.completed.v1')
      .find((e) => e.payload['repository'] === repository)!.payload;
    expect(completed).toMatchObject({
      digest: z.digest,
      tag: 'v1',
      region: 'us-east',
      sourceRegion: 'us-east',
      originRegion: 'us-east',
      sourceEventId: push['eventId'],
      pushedAt: push['occurredAt'],
      lagMs: 0,
      hlc: push['hlc'],
    });
  });
});
