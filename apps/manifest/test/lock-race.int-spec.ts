/**
 * The race of issue 13 (Azure/acr#592): a push in one region racing a lock set in another.
 * Each region applies the other's events in whatever order they arrive; every order must end
 * with the lock in force and nothing it refuses visible, the same in every region.
 */
import { RegistryError } from '@meridian/contracts';
import {
  type ApplyRequest,
  at,
  inRepository,
  lockChanged,
  manifestDeleted,
  pushed,
  tagDeleted,
  tagUpdated,
} from './build-events';
import { type BuiltManifest, blobsOf, buildBlob, buildOciManifest } from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

const x = buildOciManifest({ layers: [buildBlob('race x')] });
const y = buildOciManifest({ layers: [buildBlob('race y')] });
const z = buildOciManifest({ layers: [buildBlob('race z')] });

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

/**
 * Each origin's events in its stream's order (clock order), the streams interleaved at random:
 * the orders replication can deliver.
 */
function interleaved(requests: ApplyRequest[], seed: number): ApplyRequest[] {
  const streams = new Map<string, ApplyRequest[]>();
  for (const request of [...requests].sort((a, b) => (a.event.hlc < b.event.hlc ? -1 : 1))) {
    const origin = request.event.originRegion;
    streams.set(origin, [...(streams.get(origin) ?? []), request]);
  }
  const turns = shuffled(
    requests.map((request) => request.event.originRegion),
    seed,
  );
  return turns.map((origin) => streams.get(origin)!.shift()!);
}

describe('manifest service: a lock racing writes from other regions', () => {
  let sut: ManifestServiceHarness;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_lock_race');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  function linkBlobs(repository: string, ...manifests: BuiltManifest[]): void {
    for (const manifest of manifests) sut.blobs.add(repository, ...blobsOf(manifest));
  }

  /** Applies every request, putting back those whose manifest has not arrived yet. */
  async function applyEventually(requests: ApplyRequest[]): Promise<void> {
    const queue = [...requests];
    for (let round = 0; queue.length > 0; round++) {
      if (round > requests.length * requests.length) throw new Error('events never settled');
      const request = queue.shift()!;
      try {
        await sut.apply(request);
      } catch (err) {
        if (!(err instanceof RegistryError) || err.code !== 'MANIFEST_UNKNOWN') throw err;
        queue.push(request);
      }
    }
  }

  it('takes back a push newer than a lock that arrives after it', async () => {
    const repository = 'race/lock-late';
    linkBlobs(repository, x, y);
    await sut.apply(pushed(repository, x, at(1000, 'us-east'), 'v1'));
    await sut.apply(pushed(repository, y, at(3000, 'us-east'), 'v1'));
    expect(await sut.tagsOf(repository)).toEqual({ v1: y.digest });

    await expect(
      sut.apply(lockChanged(repository, at(2000, 'eu-west'), { writeEnabled: false })),
    ).resolves.toEqual({ outcome: 'applied' });

    expect(await sut.tagsOf(repository)).toEqual({ v1: x.digest });
    expect(await sut.manifestsOf(repository)).toEqual([x.digest]);
    await expect(sut.get(repository, y.digest)).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
    });
    // and the lock is in force here too
    await expect(sut.push(repository, z, 'v2')).rejects.toMatchObject({ code: 'DENIED' });
    // taking back writes no registry event: the region that made the write takes it back itself
    expect(sut.events.filter((event) => event.payload['repository'] === repository)).toEqual([]);
  });

  it('keeps a manifest pushed before the lock and again after it, at its permitted push', async () => {
    const repository = 'race/pushed-again';
    linkBlobs(repository, x);
    await sut.apply(pushed(repository, x, at(1000, 'us-east'), 'v1'));
    await sut.apply(pushed(repository, x, at(3000, 'us-east'), 'v2'));

    await sut.apply(lockChanged(repository, at(2000, 'eu-west'), { writeEnabled: false }));

    expect(await sut.tagsOf(repository)).toEqual({ v1: x.digest });
    const [row] = await sut.sql<{ hlc: string }[]>`
      select hlc from manifest.manifests where repository = ${repository}`;
    expect(row!.hlc).toBe(at(1000, 'us-east'));
  });

  it('refuses a push newer than a lock that arrived before it', async () => {
    const repository = 'race/lock-first';
    linkBlobs(repository, x, y);
    await sut.apply(pushed(repository, x, at(1000, 'us-east'), 'v1'));
    await sut.apply(lockChanged(repository, at(2000, 'eu-west'), { writeEnabled: false }));

    await expect(sut.apply(pushed(repository, y, at(3000, 'us-east'), 'v1'))).resolves.toEqual({
      outcome: 'superseded',
    });
    await expect(sut.apply(tagUpdated(repository, x, at(3100, 'us-east'), 'v2'))).resolves.toEqual({
      outcome: 'superseded',
    });
    expect(await sut.tagsOf(repository)).toEqual({ v1: x.digest });
    expect(await sut.manifestsOf(repository)).toEqual([x.digest]);
  });

  it('applies a push older than the lock, which happened before it', async () => {
    const repository = 'race/push-before';
    linkBlobs(repository, x, y);
    await sut.apply(pushed(repository, x, at(1000, 'us-east'), 'v1'));
    await sut.apply(lockChanged(repository, at(2000, 'eu-west'), { writeEnabled: false }));

    await expect(sut.apply(pushed(repository, y, at(1500, 'us-east'), 'v1'))).resolves.toEqual({
      outcome: 'applied',
    });
    expect(await sut.tagsOf(repository)).toEqual({ v1: y.digest });
  });

  it('refuses a push made while a lock was in force that arrives after the unlock', async () => {
    const repository = 'race/locked-window';
    linkBlobs(repository, x, y, z);
    await sut.apply(pushed(repository, x, at(1000, 'us-east'), 'v1'));
    await sut.apply(lockChanged(repository, at(2000, 'eu-west'), { writeEnabled: false }));
    await sut.apply(lockChanged(repository, at(3000, 'eu-west'), {}));

    await expect(sut.apply(pushed(repository, y, at(2500, 'us-east'), 'v1'))).resolves.toEqual({
      outcome: 'superseded',
    });
    await expect(sut.apply(pushed(repository, z, at(3500, 'us-east'), 'v2'))).resolves.toEqual({
      outcome: 'applied',
    });
    expect(await sut.tagsOf(repository)).toEqual({ v1: x.digest, v2: z.digest });
    expect(await sut.manifestsOf(repository)).toEqual([x.digest, z.digest].sort());
  });

  it('brings back a tag deleted after a lock on it that arrives after the delete', async () => {
    const repository = 'race/tag-delete';
    linkBlobs(repository, x);
    await sut.apply(pushed(repository, x, at(1000, 'us-east'), 'v1'));
    await sut.apply(tagDeleted(repository, x, at(3000, 'us-east'), 'v1'));
    expect(await sut.tagsOf(repository)).toEqual({});

    await sut.apply(
      lockChanged(repository, at(2000, 'eu-west'), { deleteEnabled: false }, { tag: 'v1' }),
    );

    expect(await sut.tagsOf(repository)).toEqual({ v1: x.digest });
    // the refused delete no longer keeps older writes out, nor says it was deleted here
    expect(
      await sut.sql`select 1 from manifest.tag_tombstones where repository = ${repository}`,
    ).toHaveLength(0);
    await expect(sut.get(repository, 'v1')).resolves.toMatchObject({ digest: x.digest });
  });

  it('ends the same whatever order the writes and the lock changes arrive in', async () => {
    const scenario = [
      pushed('', x, at(1000, 'eu-west'), 'v1'),
      pushed('', y, at(1200, 'eu-west'), 'v2'),
      // v3 is hidden from listings, then deleted (which takes its lock), then set again
      pushed('', x, at(1100, 'eu-west'), 'v3'),
      lockChanged('', at(1300, 'us-east'), { listEnabled: false }, { tag: 'v3' }),
      tagDeleted('', x, at(1400, 'ap-south'), 'v3'),
      // the repository is locked from 2000 to 3000
      lockChanged('', at(2000, 'us-east'), { writeEnabled: false }),
      pushed('', z, at(2500, 'ap-south'), 'v1'),
      tagUpdated('', x, at(2600, 'ap-south'), 'v2'),
      lockChanged('', at(3000, 'us-east'), {}),
      tagUpdated('', y, at(3500, 'eu-west'), 'v1'),
      tagUpdated('', x, at(3600, 'eu-west'), 'v3'),
      // v2 may not be deleted from 4000
      lockChanged('', at(4000, 'eu-west'), { deleteEnabled: false }, { tag: 'v2' }),
      tagDeleted('', y, at(4500, 'ap-south'), 'v2'),
    ];
    const orders = [
      scenario,
      [...scenario].reverse(),
      ...[1, 2, 3, 4, 5, 6].map((seed) => shuffled(scenario, seed)),
    ];
    const results = [];
    for (const [i, order] of orders.entries()) {
      const repository = `race/order-${i}`;
      linkBlobs(repository, x, y, z);
      await applyEventually(order.map((request) => inRepository(request, repository)));
      results.push({
        tags: await sut.tagsOf(repository),
        manifests: await sut.manifestsOf(repository),
        locks: await sut.sql`
          select target, name, hlc, write_enabled, delete_enabled, list_enabled
          from manifest.lock_changes where repository = ${repository}
          order by target, name, hlc`,
        tombstones: await sut.sql`
          select name, hlc from manifest.tag_tombstones where repository = ${repository}`,
      });
    }

    const expected = {
      tags: { v1: y.digest, v2: y.digest, v3: x.digest },
      manifests: [x.digest, y.digest].sort(),
      locks: [
        ...[at(2000, 'us-east'), at(3000, 'us-east')].map((hlc) => ({
          target: 'repository',
          name: '',
          hlc,
          write_enabled: hlc === at(3000, 'us-east'),
          delete_enabled: true,
          list_enabled: true,
        })),
        {
          target: 'tag',
          name: 'v2',
          hlc: at(4000, 'eu-west'),
          write_enabled: true,
          delete_enabled: false,
          list_enabled: true,
        },
      ],
      tombstones: [{ name: 'v3', hlc: at(1400, 'ap-south') }],
    };
    for (const result of results) expect(result).toEqual(expected);
  });

  it('ends the same whatever the interleaving of the regions’ streams, deletes included', async () => {
    const scenario = [
      pushed('', x, at(1000, 'eu-west'), 'v1'),
      pushed('', y, at(1100, 'eu-west'), 'v2'),
      lockChanged('', at(1500, 'us-east'), { readEnabled: false }, { tag: 'v1' }),
      // the repository is locked from 2000 to 3000
      lockChanged('', at(2000, 'us-east'), { writeEnabled: false }),
      // refused: y is pushed again, then deleted whatever lock is in force
      pushed('', y, at(2200, 'ap-south'), 'v3'),
      manifestDeleted('', y, at(2300, 'ap-south'), ['v2']),
      lockChanged('', at(3000, 'eu-west'), {}),
      pushed('', y, at(3100, 'eu-west'), 'v4'),
      tagUpdated('', x, at(3200, 'ap-south'), 'v2'),
    ];
    const results = [];
    for (let seed = 1; seed <= 12; seed++) {
      const repository = `race/streams-${seed}`;
      linkBlobs(repository, x, y);
      const order = interleaved(scenario, seed);
      await applyEventually(order.map((request) => inRepository(request, repository)));
      results.push({
        tags: await sut.tagsOf(repository),
        manifests: await sut.sql`
          select digest, hlc from manifest.manifests where repository = ${repository}
          order by digest`,
      });
    }

    for (const result of results) {
      expect(result).toEqual({
        tags: { v1: x.digest, v2: x.digest, v4: y.digest },
        manifests: [
          { digest: x.digest, hlc: at(1000, 'eu-west') },
          { digest: y.digest, hlc: at(3100, 'eu-west') },
        ].sort((a, b) => (a.digest < b.digest ? -1 : 1)),
      });
    }
  });
});
