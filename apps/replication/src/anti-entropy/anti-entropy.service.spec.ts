import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HybridLogicalClock, type RepositoryState, formatHlc } from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { FilesystemStorageDriver, blobKey } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import { buildLayer, buildManifestPushed } from '../../test/fakes/build-events';
import { FakeRegionServices } from '../../test/fakes/fake-region-services';
import { FakeRegionStates } from '../../test/fakes/fake-region-states';
import { FakeReplicationRepository } from '../../test/fakes/fake-replication.repository';
import { BlobCopier } from '../blobs/blob-copier';
import { CopyThroughput } from '../blobs/copy-throughput';
import { ReplicationService } from '../replication/replication.service';
import { AntiEntropyProgress } from './anti-entropy-progress';
import { AntiEntropyService } from './anti-entropy.service';

const layers = [buildLayer('config of team/api'), buildLayer('layer of team/api')];
const settings = { region: 'eu-west', peers: ['us-east'], failedAfterAttempts: 3 };

describe(AntiEntropyService.name, () => {
  let dir: string;
  let own: FilesystemStorageDriver;
  let states: FakeRegionStates;
  let services: FakeRegionServices;
  let repository: FakeReplicationRepository;
  let progress: AntiEntropyProgress;
  let sut: AntiEntropyService;
  const push = buildManifestPushed({ layers });

  function stateOf(overrides: Partial<RepositoryState> = {}): RepositoryState {
    return {
      repository: 'team/api',
      manifests: [],
      tags: [],
      deletedManifests: [],
      deletedTags: [],
      locks: [],
      truncated: false,
      ...overrides,
    };
  }

  const pushed = {
    digest: push.digest,
    hlc: push.hlc,
    mediaType: push.mediaType,
    size: push.size,
    references: push.references,
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-anti-entropy-'));
    own = new FilesystemStorageDriver({ rootDirectory: join(dir, 'eu-west') });
    const usEast = new FilesystemStorageDriver({ rootDirectory: join(dir, 'us-east') });
    await Promise.all([own.init(), usEast.init()]);
    for (const layer of layers) await usEast.put(blobKey(layer.digest), layer.bytes);
    states = new FakeRegionStates();
    services = new FakeRegionServices();
    services.addManifest('us-east', 'team/api', { ...push, body: push.body });
    repository = new FakeReplicationRepository();
    progress = new AntiEntropyProgress();
    const rules = new ReplicationService(
      settings,
      repository,
      services,
      new BlobCopier({ own, peer: () => usEast }, new CopyThroughput()),
      new Outbox('replication', new HybridLogicalClock('eu-west')),
    );
    sut = new AntiEntropyService(
      settings,
      { intervalMs: 60_000, rate: 10_000, backfillRate: 10_000, maxClockSkewMs: 300_000 },
      states,
      services,
      rules,
      progress,
      createLogger({ service: 'replication', region: 'eu-west', level: 'silent' }),
    );
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads no repository state when the summaries agree', async () => {
    const same = stateOf({ manifests: [pushed] });
    states.set('eu-west', same);
    states.set('us-east', same);
    await sut.pass('continuous');
    expect(states.stateReads).toEqual([]);
    expect(services.applied).toEqual([]);
    expect(progress.status('us-east')).toMatchObject({
      state: 'idle',
      repositoriesCompared: 1,
      repositoriesDiffering: 0,
      repaired: 0,
    });
  });

  it("brings back a manifest and its tag the peer holds: blobs copied and linked first, the peer's reading kept, ready announced", async () => {
    states.set('eu-west', stateOf());
    states.set(
      'us-east',
      stateOf({
        manifests: [pushed],
        tags: [{ name: 'v1', digest: push.digest, hlc: push.hlc }],
      }),
    );
    await sut.pass('backfill');

    for (const layer of layers) {
      expect(await own.stat(blobKey(layer.digest))).toEqual({ size: layer.size });
      expect(services.linked.has(`team/api@${layer.digest}`)).toBe(true);
    }
    expect(services.applied.map((apply) => apply.kind)).toEqual(['manifest.pushed', 'tag.updated']);
    const [manifest, tag] = services.applied;
    expect(manifest!.event).toMatchObject({ digest: push.digest, body: push.body, hlc: push.hlc });
    expect(tag!.event).toMatchObject({ tag: 'v1', digest: push.digest, hlc: push.hlc });
    expect(repository.outbox).toHaveLength(1);
    expect(progress.status('us-east')).toMatchObject({
      mode: 'backfill',
      repositoriesDiffering: 1,
      repaired: 2,
      repairs: expect.objectContaining({ manifest: 1, tag: 1 }),
    });
  });

  it('counts only repairs that applied: one a newer write here superseded is not counted', async () => {
    states.set('eu-west', stateOf());
    states.set('us-east', stateOf({ deletedManifests: [{ digest: push.digest, hlc: push.hlc }] }));
    services.applyOutcome = 'superseded';
    await sut.pass('continuous');
    expect(services.applied.map((apply) => apply.kind)).toEqual(['manifest.deleted']);
    expect(progress.status('us-east')).toMatchObject({ repaired: 0 });
  });

  it('ends the pass with the reason when the peer does not answer', async () => {
    states.set('eu-west', stateOf());
    states.unreachable.add('us-east');
    await sut.pass('continuous');
    expect(progress.status('us-east')).toMatchObject({
      state: 'idle',
      lastError: expect.stringContaining('did not answer'),
    });
    expect(progress.status('us-east')?.lastPassAt).toBeUndefined();
  });

  it('leaves writes stamped too far in the future for later', async () => {
    const future = formatHlc({ wallMs: Date.now() + 3_600_000, counter: 0, region: 'us-east' });
    states.set('eu-west', stateOf());
    states.set('us-east', stateOf({ manifests: [{ ...pushed, hlc: future }] }));
    await sut.pass('continuous');
    expect(services.applied).toEqual([]);
    expect(progress.status('us-east')).toMatchObject({ aheadOfClock: 1 });
  });
});
