import { acrRpc, manifestRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { at, tagUpdated } from './build-events';
import {
  type BuiltManifest,
  buildArtifact,
  buildBlob,
  buildOciIndex,
  buildOciManifest,
} from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

describe('manifest service: retention of untagged manifests', () => {
  let sut: ManifestServiceHarness;
  let n = 0;

  beforeAll(async () => {
    sut = await ManifestServiceHarness.start('manifest_retention');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  const image = (): BuiltManifest => buildOciManifest({ layers: [buildBlob(`retention ${n++}`)] });
  const setPolicy = (enabled: boolean, days: number) =>
    sut.client.request(
      manifestRpc.setRetentionSetting,
      { enabled, days },
      { context: { request: { id: `req-retention-${n++}` }, actor: { name: 'owner' } } },
    );
  const untaggedSince = async (repository: string, digest: string) => {
    const [row] = await sut.sql<{ untaggedSince: Date | null }[]>`
      select untagged_since as "untaggedSince" from manifest.manifests
      where repository = ${repository} and digest = ${digest}`;
    if (!row) throw new Error(`no manifest ${digest} in ${repository}`);
    return row.untaggedSince;
  };

  describe('untagged_since', () => {
    const repository = 'retention/since';

    it('is set at a push by digest and cleared when a tag comes to point to the manifest', async () => {
      const v1 = image();
      await sut.push(repository, v1);
      expect(await untaggedSince(repository, v1.digest)).toBeInstanceOf(Date);
      await sut.push(repository, v1, 'v1');
      expect(await untaggedSince(repository, v1.digest)).toBeNull();
    });

    it('is null from a push by tag, and set again when the last tag goes', async () => {
      const v2 = image();
      await sut.push(repository, v2, 'a');
      await sut.push(repository, v2, 'b');
      expect(await untaggedSince(repository, v2.digest)).toBeNull();
      await sut.delete(repository, 'a');
      expect(await untaggedSince(repository, v2.digest)).toBeNull();
      await sut.delete(repository, 'b');
      expect(await untaggedSince(repository, v2.digest)).toBeInstanceOf(Date);
    });

    it('is set when the tag moves to another manifest', async () => {
      const old = image();
      const next = image();
      await sut.push(repository, old, 'latest');
      await sut.push(repository, next, 'latest');
      expect(await untaggedSince(repository, old.digest)).toBeInstanceOf(Date);
      expect(await untaggedSince(repository, next.digest)).toBeNull();
    });

    it("follows another region's tag writes too", async () => {
      const replicated = image();
      await sut.push(repository, replicated);
      await sut.apply(tagUpdated(repository, replicated, at(Date.now() + 60_000), 'from-peer'));
      expect(await untaggedSince(repository, replicated.digest)).toBeNull();
    });

    it('goes with its manifest', async () => {
      const gone = image();
      await sut.push(repository, gone, 'gone');
      await sut.delete(repository, gone.digest);
      await expect(sut.sql`
        select 1 from manifest.manifests where repository = ${repository}
          and digest = ${gone.digest}`).resolves.toHaveLength(0);
    });
  });

  describe('the policy', () => {
    it('is off with 7 days until set, and announces retention-setting.changed.v1', async () => {
      await expect(sut.client.request(manifestRpc.retentionSetting, {})).resolves.toEqual({
        enabled: false,
        days: 7,
      });
      await setPolicy(false, 30);
      await expect(sut.client.request(manifestRpc.retentionSetting, {})).resolves.toEqual({
        enabled: false,
        days: 30,
      });
      await expectEventually(() =>
        expect(sut.eventsNamed('retention-setting.changed.v1').at(-1)?.payload).toMatchObject({
          enabled: false,
          days: 30,
          originRegion: 'us-east',
          actor: { name: 'owner' },
        }),
      );
    });

    it("applies another region's change through manifest.apply, the newest winning", async () => {
      const event = (hlc: string, enabled: boolean, days: number) => ({
        kind: 'retention-setting.changed' as const,
        event: {
          eventId: crypto.randomUUID(),
          originRegion: 'eu-west',
          occurredAt: new Date().toISOString(),
          hlc,
          enabled,
          days,
        },
      });
      await expect(
        sut.apply(event(at(Date.now() + 600_000, 'eu-west'), false, 12)),
      ).resolves.toEqual({
        outcome: 'applied',
      });
      await expect(sut.apply(event(at(1, 'eu-west'), true, 1))).resolves.toEqual({
        outcome: 'superseded',
      });
      await expect(sut.client.request(manifestRpc.retentionSetting, {})).resolves.toEqual({
        enabled: false,
        days: 12,
      });
    });

    it('does nothing while off', async () => {
      await expect(sut.sweepRetention()).resolves.toMatchObject({ swept: false, deleted: 0 });
    });
  });

  describe('the sweep (days 0)', () => {
    const repository = 'retention/sweep';
    const lockRepository = 'retention/locked';

    it('deletes the untagged, keeps the tagged, the locked, the children and referrers of what it keeps, takes referrers with their subject', async () => {
      const untagged = image();
      const tagged = image();
      const locked = image();
      const amd64 = image();
      const arm64 = image();
      const index = buildOciIndex([amd64, arm64]);
      const keptSubject = image();
      const keptSbom = buildArtifact({
        artifactType: 'application/spdx+json',
        subject: keptSubject,
      });
      const goneSubject = image();
      const goneSbom = buildArtifact({
        artifactType: 'application/spdx+json',
        subject: goneSubject,
      });
      const inLockedRepository = image();

      await sut.push(repository, untagged);
      await sut.push(repository, tagged, 'tagged');
      await sut.push(repository, locked);
      await sut.client.request(acrRpc.updateAttributes, {
        repository,
        target: { kind: 'manifest', digest: locked.digest },
        attributes: { deleteEnabled: false },
      });
      await sut.push(repository, amd64);
      await sut.push(repository, arm64);
      await sut.push(repository, index, 'multi');
      await sut.push(repository, keptSubject, 'kept');
      await sut.push(repository, keptSbom);
      await sut.push(repository, goneSubject);
      await sut.push(repository, goneSbom);
      await sut.push(lockRepository, inLockedRepository);
      await sut.client.request(acrRpc.updateAttributes, {
        repository: lockRepository,
        target: { kind: 'repository' },
        attributes: { writeEnabled: false },
      });
      expect(await sut.manifestsOf(lockRepository)).toEqual([inLockedRepository.digest]);

      await setPolicy(true, 0);
      const outcome = await sut.sweepRetention();
      await setPolicy(false, 0);

      expect(outcome).toMatchObject({ swept: true, failed: 0 });
      expect(await sut.manifestsOf(repository)).toEqual(
        [tagged, locked, amd64, arm64, index, keptSubject, keptSbom]
          .map((manifest) => manifest.digest)
          .sort(),
      );
      expect(await sut.manifestsOf(lockRepository)).toEqual([inLockedRepository.digest]);
      await expectEventually(() =>
        expect(
          sut
            .eventsNamed('manifest.deleted.v1')
            .filter((event) => event.payload['repository'] === repository)
            .map((event) => event.payload['digest'])
            .sort(),
        ).toEqual([untagged.digest, goneSubject.digest, goneSbom.digest].sort()),
      );
      // the referrer went before its subject
      const deleted = sut
        .eventsNamed('manifest.deleted.v1')
        .map((event) => event.payload['digest']);
      expect(deleted.indexOf(goneSbom.digest)).toBeLessThan(deleted.indexOf(goneSubject.digest));
      // ordinary deletes: the tombstone answers a pull as deleted here
      await expect(sut.get(repository, untagged.digest)).rejects.toMatchObject({
        code: 'MANIFEST_UNKNOWN',
      });
    });

    it('deletes the children of an untagged index with it', async () => {
      const child = image();
      const index = buildOciIndex([child]);
      await sut.push(repository, child);
      await sut.push(repository, index);
      await setPolicy(true, 0);
      await sut.sweepRetention();
      await setPolicy(false, 0);
      const left = await sut.manifestsOf(repository);
      expect(left).not.toContain(child.digest);
      expect(left).not.toContain(index.digest);
    });

    it('counts manifests untagged before the policy was on (backfilled from their push)', async () => {
      const old = image();
      await sut.push(repository, old);
      await sut.sql`
        update manifest.manifests set untagged_since = now() - interval '10 days'
        where repository = ${repository} and digest = ${old.digest}`;
      await setPolicy(true, 5);
      const fresh = image();
      await sut.push(repository, fresh);
      await sut.sweepRetention();
      await setPolicy(false, 5);
      const left = await sut.manifestsOf(repository);
      expect(left).not.toContain(old.digest);
      expect(left).toContain(fresh.digest);
    });

    it('lets one replica sweep at a time (the other round passes)', async () => {
      for (let i = 0; i < 5; i++) await sut.push(repository, image());
      await setPolicy(true, 0);
      const rounds = await Promise.all([sut.sweepRetention(), sut.sweepRetention()]);
      await setPolicy(false, 0);
      expect(rounds.map((round) => round.swept).sort()).toEqual([false, true]);
      expect(rounds.find((round) => !round.swept)?.deleted).toBe(0);
      expect(rounds.find((round) => round.swept)?.deleted).toBeGreaterThanOrEqual(1);
    });
  });
});
