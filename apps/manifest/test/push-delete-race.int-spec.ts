import { HybridLogicalClock } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { expectEventually } from '@meridian/testing';
import { SqlManifestsRepository } from '../src/manifests/manifests.repository';
import { buildOciManifest } from './build-manifest';
import { ManifestServiceHarness } from './manifest-service.harness';

describe(`${SqlManifestsRepository.name} under a concurrent delete`, () => {
  let harness: ManifestServiceHarness;

  beforeAll(async () => {
    harness = await ManifestServiceHarness.start('manifest_race');
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('makes a delete of the manifest wait for a push that tags it, so no tag points nowhere', async () => {
    const repository = 'team/race';
    const manifest = buildOciManifest();
    await harness.push(repository, manifest);
    const clock = new HybridLogicalClock('us-east');
    const sut = new SqlManifestsRepository(harness.sql, new Outbox('manifest', clock));

    let deletion: Promise<string[] | undefined> | undefined;
    await sut.transaction(async (push) => {
      await push.ensureRepository(repository);
      await push.insertManifest({
        repository,
        digest: manifest.digest,
        hlc: clock.tick(),
        mediaType: manifest.mediaType,
        body: Buffer.from(manifest.base64, 'base64'),
        references: { blobs: [], manifests: [] },
      });
      deletion = sut.transaction((del) => del.deleteManifest(repository, manifest.digest));
      // the delete must be waiting on the push's lock, not already done
      await expectEventually(async () => {
        const waiting = await harness.sql`
          select 1 from pg_stat_activity
          where wait_event_type = 'Lock' and query like '%manifest.manifests%for update%'`;
        expect(waiting.length).toBe(1);
      });
      await push.setTag(repository, 'racing', manifest.digest, clock.tick());
    });

    // the delete ran after the push committed and took the new tag with it
    expect(await deletion).toEqual(['racing']);
    const left = await harness.sql`select 1 from manifest.tags where repository = ${repository}`;
    expect(left).toHaveLength(0);
  });
});
