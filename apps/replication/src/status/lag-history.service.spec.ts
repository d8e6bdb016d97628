import { createLogger } from '@meridian/telemetry';
import { FakeLagSamplesRepository } from '../../test/fakes/fake-lag-samples.repository';
import { FakeRegionServices } from '../../test/fakes/fake-region-services';
import { FakeReplicationRepository } from '../../test/fakes/fake-replication.repository';
import { CopyThroughput } from '../blobs/copy-throughput';
import { LagHistoryService, lagHistoryKeptMs } from './lag-history.service';
import { type PeerBacklog, PeerLinks } from './peer-links';
import { ReplicationStatusService } from './replication-status.service';

class FakePeerLinks extends PeerLinks {
  readonly connected = new Set<string>();
  readonly backlogs = new Map<string, PeerBacklog>();

  async isConnected(peer: string): Promise<boolean> {
    return this.connected.has(peer);
  }

  async backlog(peer: string): Promise<PeerBacklog> {
    return this.backlogs.get(peer) ?? { pending: 0 };
  }
}

class FailingLagSamples extends FakeLagSamplesRepository {
  override async record(): Promise<void> {
    throw new Error('connection refused');
  }
}

describe(LagHistoryService.name, () => {
  const settings = { region: 'eu-west', peers: ['us-east', 'ap-south'], failedAfterAttempts: 5 };
  const minute = 60_000;
  const start = Date.parse('2026-11-23T12:00:00.000Z');
  let now: number;
  let links: FakePeerLinks;
  let samples: FakeLagSamplesRepository;
  const logger = createLogger({ service: 'replication', region: 'eu-west', level: 'silent' });

  function service(repository = samples): LagHistoryService {
    const clock = () => now;
    const status = new ReplicationStatusService(
      settings,
      new FakeReplicationRepository(),
      new FakeRegionServices(),
      links,
      new CopyThroughput(clock),
      clock,
    );
    return new LagHistoryService(settings, minute, status, repository, logger, clock);
  }

  beforeEach(() => {
    now = start;
    links = new FakePeerLinks();
    samples = new FakeLagSamplesRepository();
  });

  it('samples every peer once per interval, at the start of the interval', async () => {
    const sut = service();
    links.connected.add('us-east');
    links.backlogs.set('us-east', { pending: 4, oldestOccurredAt: new Date(start - 9_000) });
    now = start + 20_000;
    await sut.sample();
    // a second replica (or a second tick) in the same interval keeps the first reading
    links.backlogs.set('us-east', { pending: 0 });
    now = start + 50_000;
    await sut.sample();
    now = start + minute + 5_000;
    await sut.sample();

    const history = await sut.history({ minutes: 60 });

    expect(history).toEqual({
      region: 'eu-west',
      sampleIntervalSeconds: 60,
      peers: [
        {
          region: 'us-east',
          samples: [
            { time: '2026-11-23T12:00:00.000Z', lagMs: 29_000, pending: 4, connected: true },
            { time: '2026-11-23T12:01:00.000Z', lagMs: 0, pending: 0, connected: true },
          ],
        },
        {
          region: 'ap-south',
          samples: [
            { time: '2026-11-23T12:00:00.000Z', lagMs: 0, pending: 0, connected: false },
            { time: '2026-11-23T12:01:00.000Z', lagMs: 0, pending: 0, connected: false },
          ],
        },
      ],
    });
  });

  it('answers the last `minutes` only, and forgets samples older than a day', async () => {
    const sut = service();
    await sut.sample();
    now = start + 30 * minute;
    await sut.sample();

    const recent = await sut.history({ minutes: 10 });
    expect(recent.peers[0]?.samples.map((sample) => sample.time)).toEqual([
      '2026-11-23T12:30:00.000Z',
    ]);

    now = start + lagHistoryKeptMs + minute;
    await sut.sample();
    expect(samples.samples.map((sample) => sample.time)).not.toContain('2026-11-23T12:00:00.000Z');
    expect(samples.samples).toHaveLength(2 * 2);
  });

  it('lists every peer, with no samples before the first', async () => {
    const history = await service().history({ minutes: 60 });
    expect(history.peers).toEqual([
      { region: 'us-east', samples: [] },
      { region: 'ap-south', samples: [] },
    ]);
  });

  it('survives a failed sample: logged, the next interval tries again', async () => {
    await expect(service(new FailingLagSamples()).sample()).resolves.toBeUndefined();
  });
});
