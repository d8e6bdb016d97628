import { replicationCompleted } from '@meridian/contracts';
import { buildCompleted, buildManifestPushed } from '../../test/fakes/build-events';
import { FakeRegionServices } from '../../test/fakes/fake-region-services';
import { FakeReplicationRepository } from '../../test/fakes/fake-replication.repository';
import { CopyThroughput } from '../blobs/copy-throughput';
import { type PeerBacklog, PeerLinks } from './peer-links';
import { ReplicationStatusService } from './replication-status.service';

class FakePeerLinks extends PeerLinks {
  readonly connected = new Set<string>();
  readonly backlogs = new Map<string, PeerBacklog>();

  async isConnected(peer: string): Promise<boolean> {
    return this.connected.has(peer);
  }

  async backlog(peer: string): Promise<PeerBacklog> {
    const backlog = this.backlogs.get(peer);
    if (!backlog) throw new Error(`no consumer for ${peer}`);
    return backlog;
  }
}

describe(ReplicationStatusService.name, () => {
  const now = Date.parse('2026-11-23T12:00:00.000Z');
  let repository: FakeReplicationRepository;
  let services: FakeRegionServices;
  let links: FakePeerLinks;
  let throughput: CopyThroughput;
  let sut: ReplicationStatusService;

  beforeEach(() => {
    repository = new FakeReplicationRepository();
    services = new FakeRegionServices();
    links = new FakePeerLinks();
    throughput = new CopyThroughput(() => now);
    sut = new ReplicationStatusService(
      { region: 'eu-west', peers: ['us-east', 'ap-south'], failedAfterAttempts: 5 },
      repository,
      services,
      links,
      throughput,
      () => now,
    );
  });

  describe('status', () => {
    const push = buildManifestPushed({ originRegion: 'us-east' });
    const manifest = { digest: push.digest, mediaType: push.mediaType, size: push.size };

    it('lists this region then every peer; one not heard from is pending since the push', async () => {
      services.addManifest('eu-west', 'team/api', manifest, 'v1');
      await repository.recordOutcome(
        replicationCompleted.schema.parse(buildCompleted(push, 'us-east', 0)),
      );
      await repository.recordOutcome(buildCompleted(push, 'eu-west', 420));

      const status = await sut.status({ repository: 'team/api', reference: 'v1' });

      expect(status.digest).toBe(push.digest);
      expect(status.regions).toEqual([
        expect.objectContaining({ region: 'eu-west', state: 'ready', lagMs: 420 }),
        expect.objectContaining({ region: 'us-east', state: 'ready', lagMs: 0 }),
        { region: 'ap-south', state: 'pending', since: push.occurredAt },
      ]);
    });

    it('resolves a tag this region lacks through a peer that has it', async () => {
      services.addManifest('us-east', 'team/api', manifest, 'v1');
      await repository.recordPending(
        {
          repository: 'team/api',
          digest: push.digest,
          sourceRegion: 'us-east',
          pushedAt: push.occurredAt,
        },
        'eu-west',
        new Date(now),
      );
      const status = await sut.status({ repository: 'team/api', reference: 'v1' });
      expect(status.digest).toBe(push.digest);
      expect(status.regions[0]).toEqual({
        region: 'eu-west',
        state: 'pending',
        since: new Date(now).toISOString(),
      });
    });

    it('has nothing to say about a digest no region has any more', async () => {
      await repository.recordOutcome(buildCompleted(push, 'us-east', 0));
      await expect(
        sut.status({ repository: 'team/api', reference: push.digest }),
      ).rejects.toMatchObject({ code: 'NAME_UNKNOWN' });
      services.addManifest('us-east', 'team/api', manifest);
      const status = await sut.status({ repository: 'team/api', reference: push.digest });
      expect(status.regions.map((entry) => entry.state)).toEqual(['pending', 'ready', 'pending']);
    });

    it('is MANIFEST_UNKNOWN when no region knows the reference, NAME_UNKNOWN when none knows the name', async () => {
      services.addManifest('us-east', 'team/api', manifest, 'v1');
      await expect(sut.status({ repository: 'team/api', reference: 'v9' })).rejects.toMatchObject({
        code: 'MANIFEST_UNKNOWN',
      });
      await expect(sut.status({ repository: 'team/other', reference: 'v1' })).rejects.toMatchObject(
        {
          code: 'NAME_UNKNOWN',
        },
      );
    });

    it('records a failure with its error until the image becomes ready', async () => {
      services.addManifest('eu-west', 'team/api', manifest, 'v1');
      const { lagMs: _lagMs, ...outcome } = buildCompleted(push, 'eu-west');
      await repository.reportFailure({ ...outcome, error: 'store unreachable', attempts: 5 });
      const failed = await sut.status({ repository: 'team/api', reference: 'v1' });
      expect(failed.regions[0]).toMatchObject({ state: 'failed', lastError: 'store unreachable' });
      expect(failed.regions[0]?.lagMs).toBeUndefined();

      await repository.recordOutcome(buildCompleted(push, 'eu-west', 9000));
      const ready = await sut.status({ repository: 'team/api', reference: 'v1' });
      expect(ready.regions[0]).toMatchObject({ state: 'ready', lagMs: 9000 });
      expect(ready.regions[0]?.lastError).toBeUndefined();
    });
  });

  describe('regions', () => {
    it('reports each peer link: reachability, backlog, throughput and last error', async () => {
      links.connected.add('us-east');
      links.backlogs.set('us-east', { pending: 3, oldestOccurredAt: new Date(now - 1500) });
      links.backlogs.set('ap-south', { pending: 0 });
      throughput.record('us-east', 6 * 1024 * 1024);
      await repository.recordPeerError(
        'ap-south',
        'blob.uploaded.v1: no such file',
        new Date(now - 60_000),
      );

      expect(await sut.regions()).toEqual({
        region: 'eu-west',
        peers: [
          {
            region: 'us-east',
            connected: true,
            eventsPending: 3,
            oldestPendingAgeMs: 1500,
            copyBytesPerSecond: (6 * 1024 * 1024) / 60,
          },
          {
            region: 'ap-south',
            connected: false,
            eventsPending: 0,
            copyBytesPerSecond: 0,
            lastError: 'blob.uploaded.v1: no such file',
            lastErrorAt: new Date(now - 60_000).toISOString(),
          },
        ],
      });
    });

    it('still answers when a peer consumer cannot be read', async () => {
      const { peers } = await sut.regions();
      expect(peers.map((peer) => peer.eventsPending)).toEqual([0, 0]);
    });
  });
});
