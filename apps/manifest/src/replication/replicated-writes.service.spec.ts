import {
  HybridLogicalClock,
  type ManifestPushed,
  RegistryError,
  compareHlc,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { sha512Digest } from '@meridian/oci';
import { createLogger } from '@meridian/telemetry';
import {
  type BuiltManifest,
  blobsOf,
  buildBlob,
  buildOciIndex,
  buildOciManifest,
} from '../../test/build-manifest';
import {
  type ApplyRequest,
  at,
  lockChanged as lockChange,
  manifestDeleted as manifestDelete,
  pushed as push,
  repositoryDeleted as repositoryDelete,
  tagDeleted as tagDelete,
  tagUpdated as tagUpdate,
} from '../../test/build-events';
import { InMemoryBlobPresence } from '../../test/fakes/in-memory-blob-presence';
import { InMemoryManifestsRepository } from '../../test/fakes/in-memory-manifests.repository';
import { InMemoryQuarantineRepository } from '../../test/fakes/in-memory-quarantine.repository';
import { InMemoryRetentionRepository } from '../../test/fakes/in-memory-retention.repository';
import { RetentionService } from '../retention/retention.service';
import { InMemorySoftDeleteRepository } from '../../test/fakes/in-memory-soft-delete.repository';
import { SoftDeleteService } from '../soft-delete/soft-delete.service';
import { QuarantineService } from '../quarantine/quarantine.service';
import { ReplicatedWritesService } from './replicated-writes.service';

const repo = 'team/app';
const context = {};
const logger = createLogger({ service: 'manifest', region: 'eu-west', level: 'silent' });

const pushed = (m: BuiltManifest, hlc: string, tag?: string) => push(repo, m, hlc, tag);
const tagUpdated = (m: BuiltManifest, hlc: string, tag: string) => tagUpdate(repo, m, hlc, tag);
const tagDeleted = (m: BuiltManifest, hlc: string, tag: string) => tagDelete(repo, m, hlc, tag);
const manifestDeleted = (m: BuiltManifest, hlc: string, tags: string[]) =>
  manifestDelete(repo, m, hlc, tags);
const repositoryDeleted = (hlc: string) => repositoryDelete(repo, hlc);
const lockChanged = (
  hlc: string,
  attributes: Parameters<typeof lockChange>[2],
  on?: Parameters<typeof lockChange>[3],
) => lockChange(repo, hlc, attributes, on);

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const err = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(err instanceof RegistryError))
    throw new Error(`expected a RegistryError, got ${String(err)}`);
  return err;
}

const x = buildOciManifest({ layers: [buildBlob('x')] });
const y = buildOciManifest({ layers: [buildBlob('y')] });

/** A region applying other regions' events, whose blob service has every blob of x and y. */
function region() {
  const manifests = new InMemoryManifestsRepository();
  const blobs = new InMemoryBlobPresence().add(repo, ...blobsOf(x), ...blobsOf(y));
  const outbox = new Outbox('manifest', new HybridLogicalClock('eu-west', () => 1_000));
  const quarantine = new QuarantineService(new InMemoryQuarantineRepository(), outbox, logger);
  const retention = new RetentionService(new InMemoryRetentionRepository(), outbox, logger);
  const softDelete = new SoftDeleteService(new InMemorySoftDeleteRepository(), outbox, logger);
  const sut = new ReplicatedWritesService(
    manifests,
    blobs,
    outbox,
    quarantine,
    retention,
    softDelete,
    logger,
  );
  const applyAll = async (requests: ApplyRequest[]) => {
    for (const request of requests) await sut.apply(request, context);
  };
  return { sut, manifests, blobs, outbox, applyAll };
}

describe(ReplicatedWritesService.name, () => {
  describe('settles a tag by the newest write, whatever order events arrive in', () => {
    const scenarios: { name: string; events: ApplyRequest[]; tags: Record<string, string> }[] = [
      {
        name: 'two pushes at one wall time: the higher region wins the tie',
        events: [
          pushed(x, at(1000, 'us-east'), 'latest'),
          pushed(y, at(1000, 'ap-south'), 'latest'),
          tagDeleted(y, at(900, 'ap-south'), 'latest'),
        ],
        tags: { latest: x.digest },
      },
      {
        name: 'a delete between two pushes',
        events: [
          pushed(x, at(1000), 'latest'),
          tagDeleted(x, at(1500, 'ap-south'), 'latest'),
          pushed(y, at(2000, 'ap-south'), 'latest'),
        ],
        tags: { latest: y.digest },
      },
      {
        name: 'a delete after the last push',
        events: [
          pushed(x, at(1000), 'latest'),
          tagUpdated(y, at(2000), 'latest'),
          pushed(y, at(1900)),
          tagDeleted(y, at(3000, 'ap-south'), 'latest'),
        ],
        tags: {},
      },
    ];

    for (const scenario of scenarios) {
      const orders = permutations(scenario.events).filter(
        // a tag update waits for its manifest (MANIFEST_UNKNOWN, retried): keep the orders in
        // which the manifest arrives first, as it does on the origin's stream
        (order) => {
          const tagged = order.findIndex((r) => r.kind === 'tag.updated');
          const stored = order.findIndex(
            (r) => r.kind === 'manifest.pushed' && r.event.digest === y.digest,
          );
          return tagged === -1 || tagged > stored;
        },
      );
      it.each(orders.map((order) => [order.map((r) => r.kind).join(' → '), order] as const))(
        `${scenario.name}: %s`,
        async (_, order) => {
          const { manifests, applyAll } = region();
          await applyAll(order);
          expect(manifests.tagsOf(repo)).toEqual(scenario.tags);
          // applying another region's writes announces nothing
          expect(manifests.events).toEqual([]);
        },
      );
    }
  });

  describe('manifest.pushed', () => {
    it('stores the manifest from the event and tags it', async () => {
      const { sut, manifests } = region();

      await expect(sut.apply(pushed(x, at(1000), 'v1'), context)).resolves.toBe('applied');

      expect(manifests.manifest(repo, x.digest)?.body).toEqual(x.bytes);
      expect(manifests.tag(repo, 'v1')).toEqual({ digest: x.digest, hlc: at(1000) });
      expect(manifests.hasRepository(repo)).toBe(true);
    });

    it('stores a push its region quarantined as quarantined, in the same write', async () => {
      const { sut, manifests } = region();
      const quarantinedPush = pushed(x, at(1000), 'v1');
      if (quarantinedPush.kind !== 'manifest.pushed') throw new Error('a push');
      quarantinedPush.event.quarantined = true;

      await sut.apply(quarantinedPush, context);
      await sut.apply(pushed(y, at(1001), 'v2'), context);

      expect(manifests.quarantineOf(repo, x.digest)).toBe('quarantined');
      expect(manifests.quarantineOf(repo, y.digest)).toBeUndefined();
    });

    it('changes nothing when applied again', async () => {
      const { sut, manifests } = region();
      const push = pushed(x, at(1000), 'v1');
      await sut.apply(push, context);

      await expect(sut.apply(push, context)).resolves.toBe('applied');
      await expect(sut.apply(tagUpdated(x, at(1000), 'v1'), context)).resolves.toBe('applied');

      expect(manifests.tagsOf(repo)).toEqual({ v1: x.digest });
      expect(manifests.tag(repo, 'v1')!.hlc).toBe(at(1000));
    });

    it('stores a manifest but leaves a tag that holds a newer write', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([pushed(y, at(2000), 'v1')]);

      await expect(sut.apply(pushed(x, at(1000), 'v1'), context)).resolves.toBe('applied');

      expect(manifests.manifest(repo, x.digest)).toBeDefined();
      expect(manifests.tag(repo, 'v1')!.digest).toBe(y.digest);
    });

    it('stores a manifest pushed by its sha512 digest, checking the body with sha512', async () => {
      const { sut, manifests } = region();
      const digest = sha512Digest(x.bytes);
      const by512 = pushed(x, at(1000));
      by512.event = { ...by512.event, digest } as ManifestPushed;
      const forged = pushed(x, at(1000));
      forged.event = { ...forged.event, digest, body: y.base64 } as ManifestPushed;

      expect((await rejection(sut.apply(forged, context))).code).toBe('DIGEST_INVALID');
      await expect(sut.apply(by512, context)).resolves.toBe('applied');

      expect(manifests.manifest(repo, digest)?.body).toEqual(x.bytes);
      expect(manifests.manifest(repo, x.digest)).toBeUndefined();
    });

    it('refuses a body that is not the digest, and stores nothing', async () => {
      const { sut, manifests } = region();
      const forged = pushed(x, at(1000), 'v1');
      forged.event = { ...forged.event, body: y.base64 } as ManifestPushed;

      const err = await rejection(sut.apply(forged, context));

      expect(err.code).toBe('DIGEST_INVALID');
      expect(manifests.manifest(repo, x.digest)).toBeUndefined();
      expect(manifests.manifest(repo, y.digest)).toBeUndefined();
    });

    it('waits for blobs not linked here yet with MANIFEST_BLOB_UNKNOWN naming them', async () => {
      const { sut, manifests } = region();
      const z = buildOciManifest({ layers: [buildBlob('z')] });

      const err = await rejection(sut.apply(pushed(z, at(1000), 'v1'), context));

      expect(err.code).toBe('MANIFEST_BLOB_UNKNOWN');
      expect(err.detail).toEqual({ missing: [buildBlob('z').digest] });
      expect(manifests.manifest(repo, z.digest)).toBeUndefined();
    });

    it('waits for the children of an index with MANIFEST_BLOB_UNKNOWN naming them', async () => {
      const { sut, manifests, applyAll } = region();
      const index = buildOciIndex([x, y]);
      await applyAll([pushed(x, at(1000))]);

      const err = await rejection(sut.apply(pushed(index, at(1100), 'multi'), context));
      expect(err).toMatchObject({ code: 'MANIFEST_BLOB_UNKNOWN', detail: { missing: [y.digest] } });

      await applyAll([pushed(y, at(1050))]);
      await expect(sut.apply(pushed(index, at(1100), 'multi'), context)).resolves.toBe('applied');
      expect(manifests.tag(repo, 'multi')!.digest).toBe(index.digest);
    });
  });

  describe('soft delete', () => {
    it("keeps what another region's manifest and repository deletes remove, at their readings", async () => {
      const { manifests, applyAll } = region();
      await applyAll([
        pushed(x, at(1000), 'v1'),
        manifestDeleted(x, at(2000), ['v1']),
        repositoryDeleted(at(3000)),
      ]);
      expect(manifests.keptRestorable).toEqual([
        { repository: repo, digest: x.digest, hlc: at(2000) },
        { repository: repo, hlc: at(3000) },
      ]);
    });
  });

  describe('tombstones', () => {
    it('keep a push older than the manifest delete out, without asking for its blobs', async () => {
      const { sut, manifests, blobs, applyAll } = region();
      await applyAll([manifestDeleted(x, at(2000), ['v1'])]);

      await expect(sut.apply(pushed(x, at(1000), 'v1'), context)).resolves.toBe('superseded');

      expect(manifests.manifest(repo, x.digest)).toBeUndefined();
      expect(manifests.tag(repo, 'v1')).toBeUndefined();
      expect(blobs.calls).toEqual([]);
    });

    it('keep a push older than the repository delete out', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([repositoryDeleted(at(2000))]);

      await expect(sut.apply(pushed(x, at(1000), 'v1'), context)).resolves.toBe('superseded');
      await expect(sut.apply(tagUpdated(x, at(1000), 'v1'), context)).resolves.toBe('superseded');

      expect(manifests.hasRepository(repo)).toBe(false);
    });

    it('keep a tag older than the tag delete out, and a late delete removes an older tag', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([pushed(x, at(1000)), tagDeleted(x, at(2000), 'v1')]);

      await expect(sut.apply(tagUpdated(x, at(1500), 'v1'), context)).resolves.toBe('superseded');
      expect(manifests.tag(repo, 'v1')).toBeUndefined();
      expect(manifests.tombstone(repo, { kind: 'tag', tag: 'v1' })).toBe(at(2000));
    });

    it('let a newer push bring back what a delete removed', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([pushed(x, at(1000), 'v1'), repositoryDeleted(at(2000))]);
      expect(manifests.hasRepository(repo)).toBe(false);

      await expect(sut.apply(pushed(x, at(3000), 'v1'), context)).resolves.toBe('applied');

      expect(manifests.tagsOf(repo)).toEqual({ v1: x.digest });
    });

    it('rise only: an older delete of a manifest leaves the newer tombstone', async () => {
      const { applyAll, manifests } = region();
      await applyAll([manifestDeleted(x, at(3000), []), manifestDeleted(x, at(2000), [])]);
      expect(manifests.tombstone(repo, { kind: 'digest', digest: x.digest })).toBe(at(3000));
    });
  });

  describe('deletes', () => {
    it('remove a manifest with its older tags, but not one a newer push keeps', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([pushed(x, at(1000), 'old'), pushed(y, at(1000), 'y')]);
      await applyAll([pushed(y, at(3000), 'new')]);

      await expect(sut.apply(manifestDeleted(x, at(2000), ['old']), context)).resolves.toBe(
        'applied',
      );
      await expect(sut.apply(manifestDeleted(y, at(2000), ['y']), context)).resolves.toBe(
        'superseded',
      );

      expect(manifests.manifest(repo, x.digest)).toBeUndefined();
      expect(manifests.manifest(repo, y.digest)).toBeDefined();
      expect(manifests.tagsOf(repo)).toEqual({ new: y.digest });
    });

    it('keep a manifest that a tag written after the delete points to', async () => {
      const { sut, manifests, applyAll } = region();
      // the tag's own push (same reading) has not arrived yet
      await applyAll([pushed(x, at(900)), tagUpdated(x, at(2000), 'v1')]);

      await expect(sut.apply(manifestDeleted(x, at(1500), []), context)).resolves.toBe(
        'superseded',
      );
      await expect(sut.apply(repositoryDeleted(at(1600)), context)).resolves.toBe('superseded');

      expect(manifests.manifest(repo, x.digest)).toBeDefined();
      expect(manifests.tagsOf(repo)).toEqual({ v1: x.digest });
    });

    it('remove a repository but what was written after the delete', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([pushed(x, at(1000), 'x'), pushed(y, at(3000), 'y')]);

      await expect(sut.apply(repositoryDeleted(at(2000)), context)).resolves.toBe('superseded');

      expect(manifests.tagsOf(repo)).toEqual({ y: y.digest });
      expect(manifests.manifest(repo, x.digest)).toBeUndefined();
      expect(manifests.hasRepository(repo)).toBe(true);
    });

    it('are settled again the same when applied twice', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([pushed(x, at(1000), 'v1')]);
      const deleted = tagDeleted(x, at(2000), 'v1');

      await expect(sut.apply(deleted, context)).resolves.toBe('applied');
      await expect(sut.apply(deleted, context)).resolves.toBe('applied');

      expect(manifests.tagsOf(repo)).toEqual({});
      expect(manifests.manifest(repo, x.digest)).toBeDefined();
    });
  });

  it('answers MANIFEST_UNKNOWN for a tag update whose manifest has not arrived', async () => {
    const { sut } = region();
    const err = await rejection(sut.apply(tagUpdated(x, at(1000), 'v1'), context));
    expect(err.code).toBe('MANIFEST_UNKNOWN');
  });

  it("merges the event's clock reading, so local writes after it sort later", async () => {
    const { sut, outbox } = region();
    const ahead = at(9_000_000);

    await sut.apply(tagDeleted(x, ahead, 'v1'), context);

    expect(compareHlc(outbox.envelope().hlc, ahead)).toBe(1);
  });

  describe('locks', () => {
    it('supersedes a push the repository’s lock in force at its reading refuses', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([lockChanged(at(2000, 'us-east'), { writeEnabled: false })]);

      await expect(sut.apply(pushed(x, at(3000), 'v1'), context)).resolves.toBe('superseded');
      await expect(sut.apply(pushed(y, at(1000), 'v1'), context)).resolves.toBe('applied');
      expect(manifests.manifest(repo, x.digest)).toBeUndefined();
      expect(manifests.tagsOf(repo)).toEqual({ v1: y.digest });
      // the refused push's tag write is kept, for a lock change arriving later
      expect(manifests.tagWritesOf(repo, 'v1').map((w) => w.hlc)).toEqual([at(1000), at(3000)]);
    });

    it('stores a push whose tag is write-locked, leaving the tag where it was', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([
        pushed(x, at(1000), 'v1'),
        lockChanged(at(2000, 'us-east'), { writeEnabled: false }, { tag: 'v1' }),
      ]);

      await expect(sut.apply(pushed(y, at(3000), 'v1'), context)).resolves.toBe('applied');
      await expect(sut.apply(tagUpdated(y, at(3100), 'v1'), context)).resolves.toBe('superseded');
      expect(manifests.manifest(repo, y.digest)).toBeDefined();
      expect(manifests.tagsOf(repo)).toEqual({ v1: x.digest });
    });

    it('supersedes a tag delete a lock refuses, and keeps it in the tag’s history', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([
        pushed(x, at(1000), 'v1'),
        lockChanged(at(2000, 'us-east'), { deleteEnabled: false }, { tag: 'v1' }),
      ]);

      await expect(sut.apply(tagDeleted(x, at(3000), 'v1'), context)).resolves.toBe('superseded');
      expect(manifests.tagsOf(repo)).toEqual({ v1: x.digest });
      expect(manifests.tombstone(repo, { kind: 'tag', tag: 'v1' })).toBeUndefined();
      expect(manifests.tagWritesOf(repo, 'v1')).toEqual([
        { hlc: at(1000), digest: x.digest },
        { hlc: at(3000), digest: null },
      ]);
    });

    it('applies manifest and repository deletes whatever lock is in force', async () => {
      const { sut, manifests, applyAll } = region();
      await applyAll([
        pushed(x, at(1000), 'v1'),
        lockChanged(at(2000, 'us-east'), { deleteEnabled: false, writeEnabled: false }),
      ]);

      await expect(sut.apply(manifestDeleted(x, at(3000), ['v1']), context)).resolves.toBe(
        'applied',
      );
      expect(manifests.manifest(repo, x.digest)).toBeUndefined();
      await expect(sut.apply(repositoryDeleted(at(4000)), context)).resolves.toBe('applied');
      expect(manifests.hasRepository(repo)).toBe(false);
    });

    it('records a lock change once, superseded when a newer change of its item holds', async () => {
      const { sut, applyAll } = region();
      await applyAll([pushed(x, at(1000), 'v1')]);

      const newest = lockChanged(at(3000, 'us-east'), { readEnabled: false });
      await expect(sut.apply(newest, context)).resolves.toBe('applied');
      await expect(sut.apply(newest, context)).resolves.toBe('applied');
      await expect(
        sut.apply(lockChanged(at(2000, 'us-east'), { writeEnabled: false }), context),
      ).resolves.toBe('superseded');
    });

    it('supersedes a lock change older than a delete of what it locks', async () => {
      const { sut, applyAll } = region();
      await applyAll([pushed(x, at(1000), 'v1'), manifestDeleted(x, at(3000), ['v1'])]);

      await expect(
        sut.apply(lockChanged(at(2000), { writeEnabled: false }, { digest: x.digest }), context),
      ).resolves.toBe('superseded');
      await expect(
        sut.apply(lockChanged(at(2000), { writeEnabled: false }, { tag: 'v1' }), context),
      ).resolves.toBe('applied');
    });
  });
});
