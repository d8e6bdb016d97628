import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HybridLogicalClock,
  formatHlc,
  RegistryError,
  authChanged,
  blobUploaded,
  manifestPushed,
  replicationCompleted,
  quarantineChanged,
  quarantineSettingChanged,
  tagUpdated,
  webhookChanged,
} from '@meridian/contracts';
import { Outbox } from '@meridian/database';
import { FilesystemStorageDriver, blobKey } from '@meridian/storage';
import {
  buildBlobUploaded,
  buildCompleted,
  buildLayer,
  buildManifestPushed,
  buildTagUpdated,
} from '../../test/fakes/build-events';
import { FakeRegionServices } from '../../test/fakes/fake-region-services';
import { FakeReplicationRepository } from '../../test/fakes/fake-replication.repository';
import { BlobCopier } from '../blobs/blob-copier';
import { CopyThroughput } from '../blobs/copy-throughput';
import { ReplicationService } from './replication.service';

const layers = [buildLayer('config of team/api'), buildLayer('first layer of team/api')];

describe(ReplicationService.name, () => {
  let dir: string;
  let own: FilesystemStorageDriver;
  let usEast: FilesystemStorageDriver;
  let repository: FakeReplicationRepository;
  let services: FakeRegionServices;
  let now: number;
  let sut: ReplicationService;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-replication-'));
    own = new FilesystemStorageDriver({ rootDirectory: join(dir, 'eu-west') });
    usEast = new FilesystemStorageDriver({ rootDirectory: join(dir, 'us-east') });
    await Promise.all([own.init(), usEast.init()]);
    for (const layer of layers) await usEast.put(blobKey(layer.digest), layer.bytes);
    repository = new FakeReplicationRepository();
    services = new FakeRegionServices();
    now = Date.now();
    const copier = new BlobCopier({ own, peer: () => usEast }, new CopyThroughput());
    sut = new ReplicationService(
      { region: 'eu-west', peers: ['us-east', 'ap-south'], failedAfterAttempts: 3 },
      repository,
      services,
      copier,
      new Outbox('replication', new HybridLogicalClock('eu-west')),
      () => now,
    );
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe("a peer's push", () => {
    it('copies its blobs, links them, applies it, then announces ready here once', async () => {
      const push = buildManifestPushed({ layers });
      await sut.applyPeerEvent('us-east', manifestPushed.name, push);

      for (const layer of layers) {
        expect(await own.stat(blobKey(layer.digest))).toEqual({ size: layer.size });
        expect(services.linked.has(`team/api@${layer.digest}`)).toBe(true);
      }
      expect(services.applied).toEqual([{ kind: 'manifest.pushed', event: push }]);
      expect(repository.outbox).toHaveLength(1);
      const completed = replicationCompleted.schema.parse(repository.outbox[0]);
      expect(completed).toMatchObject({
        region: 'eu-west',
        sourceRegion: 'us-east',
        sourceEventId: push.eventId,
        digest: push.digest,
        tag: 'v1',
        pushedAt: push.occurredAt,
        lagMs: now - Date.parse(push.occurredAt),
      });
      const [status] = await repository.statusOf('team/api', push.digest);
      expect(status).toMatchObject({ region: 'eu-west', state: 'ready' });
    });

    it("carries the push's actor and request into its ready event, for webhook payloads", async () => {
      const push = {
        ...buildManifestPushed({ layers }),
        actor: { name: 'ci-bot' },
        request: { id: 'req-7', host: 'registry.example', method: 'PUT', useragent: 'skopeo' },
      };
      await sut.applyPeerEvent('us-east', manifestPushed.name, push);
      const completed = replicationCompleted.schema.parse(repository.outbox[0]);
      expect(completed).toMatchObject({ actor: push.actor, request: push.request });
    });

    it('changes nothing when redelivered', async () => {
      const push = buildManifestPushed({ layers });
      await sut.applyPeerEvent('us-east', manifestPushed.name, push);
      await sut.applyPeerEvent('us-east', manifestPushed.name, push);
      expect(services.applied).toHaveLength(1);
      expect(repository.outbox).toHaveLength(1);
    });

    it('stays pending and unannounced while a child manifest is missing', async () => {
      const push = buildManifestPushed({ layers });
      services.failNext('apply', new RegistryError('MANIFEST_BLOB_UNKNOWN', 'child missing'));
      await expect(sut.applyPeerEvent('us-east', manifestPushed.name, push)).rejects.toThrow(
        'child missing',
      );
      expect(repository.outbox).toEqual([]);
      expect(repository.applied.has(push.eventId)).toBe(false);
      const [status] = await repository.statusOf('team/api', push.digest);
      expect(status).toMatchObject({ region: 'eu-west', state: 'pending' });

      await sut.applyPeerEvent('us-east', manifestPushed.name, push);
      expect(repository.outbox).toHaveLength(1);
    });

    it('is not announced as ready when a later delete superseded it', async () => {
      const push = buildManifestPushed({ layers });
      services.applyOutcome = 'superseded';
      await sut.applyPeerEvent('us-east', manifestPushed.name, push);
      expect(repository.applied.has(push.eventId)).toBe(true);
      expect(repository.outbox).toEqual([]);
    });

    it("fails without linking anything when the peer's store lacks a blob", async () => {
      const missing = buildLayer('a layer us-east lost');
      const push = buildManifestPushed({ layers: [...layers, missing] });
      services.failNext('apply', new RegistryError('MANIFEST_BLOB_UNKNOWN', 'blob unknown'));
      await expect(sut.applyPeerEvent('us-east', manifestPushed.name, push)).rejects.toThrow(
        'no object at',
      );
      expect(services.applied).toEqual([]);
      expect(services.linked.size).toBe(0);
      expect(repository.outbox).toEqual([]);
    });

    it('settles without blobs a push a later delete superseded, whose blobs are gone', async () => {
      const missing = buildLayer('a layer us-east removed after the delete');
      const push = buildManifestPushed({ layers: [missing] });
      services.applyOutcome = 'superseded';
      await sut.applyPeerEvent('us-east', manifestPushed.name, push);
      expect(repository.applied.has(push.eventId)).toBe(true);
      expect(services.linked.size).toBe(0);
      expect(repository.outbox).toEqual([]);
    });
  });

  it("copies and links a peer's uploaded blob", async () => {
    const upload = buildBlobUploaded(layers[1]!);
    await sut.applyPeerEvent('us-east', blobUploaded.name, upload);
    expect(await own.stat(blobKey(layers[1]!.digest))).toEqual({ size: layers[1]!.size });
    expect([...services.linked]).toEqual([`team/api@${layers[1]!.digest}`]);
  });

  it('retries an uploaded blob the peer has but cannot serve yet, and drops one it deleted', async () => {
    const lost = buildLayer('a layer deleted in us-east before eu-west copied it');
    services.addBlob('us-east', 'team/api', lost);
    await expect(
      sut.applyPeerEvent('us-east', blobUploaded.name, buildBlobUploaded(lost)),
    ).rejects.toThrow('no object at');

    const deleted = buildLayer('a layer no repository of us-east has any more');
    await sut.applyPeerEvent('us-east', blobUploaded.name, buildBlobUploaded(deleted));
    expect(services.linked.size).toBe(0);
    expect(await own.stat(blobKey(deleted.digest))).toBeUndefined();
  });

  it("applies a peer's tag, delete and auth changes through their services", async () => {
    const tag = buildTagUpdated(buildManifestPushed());
    await sut.applyPeerEvent('us-east', tagUpdated.name, tag);
    expect(services.applied).toEqual([{ kind: 'tag.updated', event: tag }]);

    const change = {
      ...buildTagUpdated(buildManifestPushed()),
      kind: 'service-principal' as const,
      id: 'ci-bot',
      record: null,
    };
    const event = authChanged.schema.parse(change);
    await sut.applyPeerEvent('us-east', authChanged.name, event);
    expect(services.authApplied).toEqual([event]);
  });

  it("applies a peer's webhook change through the webhook service", async () => {
    const change = webhookChanged.schema.parse({
      ...buildTagUpdated(buildManifestPushed()),
      name: 'deployhook',
      record: null,
    });
    await sut.applyPeerEvent('us-east', webhookChanged.name, change);
    expect(services.webhooksApplied).toEqual([change]);
  });

  it("applies a peer's quarantine decision and setting through the manifest service", async () => {
    const push = buildManifestPushed();
    const decided = quarantineChanged.schema.parse({
      ...buildTagUpdated(push),
      size: push.size,
      state: 'passed',
    });
    const setting = quarantineSettingChanged.schema.parse({ ...decided, enabled: true });

    await sut.applyPeerEvent('us-east', quarantineChanged.name, decided);
    await sut.applyPeerEvent('us-east', quarantineSettingChanged.name, setting);

    expect(services.applied).toEqual([
      { kind: 'quarantine.changed', event: decided },
      { kind: 'quarantine-setting.changed', event: setting },
    ]);
  });

  it('acknowledges events it has no rule for without doing anything', async () => {
    await sut.applyPeerEvent('us-east', 'image.pulled.v1', { anything: true });
    expect(services.applied).toEqual([]);
    expect(repository.outbox).toEqual([]);
  });

  it('records a push of this region as pending in every peer, ready here once its service says so', async () => {
    const push = buildManifestPushed({ originRegion: 'eu-west' });
    await sut.applyOwnEvent(manifestPushed.name, push);
    await sut.applyOwnEvent(manifestPushed.name, push);
    await sut.applyOwnEvent(replicationCompleted.name, buildCompleted(push, 'eu-west', 0));
    expect(repository.outbox).toEqual([]);
    const rows = await repository.statusOf('team/api', push.digest);
    expect(Object.fromEntries(rows.map((row) => [row.region, row.state]))).toEqual({
      'eu-west': 'ready',
      'us-east': 'pending',
      'ap-south': 'pending',
    });

    await sut.applyPeerEvent('us-east', replicationCompleted.name, buildCompleted(push, 'us-east'));
    const afterPeer = await repository.statusOf('team/api', push.digest);
    expect(afterPeer.find((row) => row.region === 'us-east')).toMatchObject({
      state: 'ready',
      lagMs: 250,
    });
  });

  it('announces a push that keeps failing once, after the configured attempts', async () => {
    const push = buildManifestPushed({ layers });
    await sut.recordFailure('us-east', manifestPushed.name, push, 1, 'store unreachable');
    await sut.recordFailure('us-east', manifestPushed.name, push, 2, 'store unreachable');
    expect(repository.outbox).toEqual([]);
    expect((await repository.peerErrors()).get('us-east')?.error).toBe(
      'manifest.pushed.v1: store unreachable',
    );

    await sut.recordFailure('us-east', manifestPushed.name, push, 3, 'store unreachable');
    await sut.recordFailure('us-east', manifestPushed.name, push, 4, 'store unreachable');
    expect(repository.outbox).toHaveLength(1);
    expect(repository.outbox[0]).toMatchObject({
      region: 'eu-west',
      attempts: 3,
      error: 'store unreachable',
    });
    const [failed] = await repository.statusOf('team/api', push.digest);
    expect(failed).toMatchObject({ state: 'failed', lastError: 'store unreachable' });

    // the retries go on: success later makes it ready
    await sut.applyPeerEvent('us-east', manifestPushed.name, push);
    const [ready] = await repository.statusOf('team/api', push.digest);
    expect(ready).toMatchObject({ state: 'ready' });
  });

  describe('a peer clock far ahead', () => {
    it("clamps the event's reading to now plus the allowed skew before it applies", async () => {
      const skewed = new ReplicationService(
        {
          region: 'eu-west',
          peers: ['us-east'],
          failedAfterAttempts: 3,
          maxClockSkewMs: 60_000,
        },
        repository,
        services,
        new BlobCopier({ own, peer: () => usEast }, new CopyThroughput()),
        new Outbox('replication', new HybridLogicalClock('eu-west')),
        () => now,
      );
      const future = formatHlc({ wallMs: now + 86_400_000, counter: 4, region: 'us-east' });
      const near = formatHlc({ wallMs: now + 30_000, counter: 0, region: 'us-east' });
      await skewed.applyPeerEvent('us-east', tagUpdated.name, {
        ...buildTagUpdated(buildManifestPushed({ layers })),
        hlc: future,
      });
      await skewed.applyPeerEvent('us-east', tagUpdated.name, {
        ...buildTagUpdated(buildManifestPushed({ layers })),
        hlc: near,
      });
      expect(services.applied.map((apply) => apply.event.hlc)).toEqual([
        formatHlc({ wallMs: now + 60_000, counter: 4, region: 'us-east' }),
        near,
      ]);
    });
  });
});
