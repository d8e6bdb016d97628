/**
 * A scrape of the replication service's `/metrics` finds each peer's lag, backlog and
 * reachability, computed by the status service from the peer links (fakes of our
 * interfaces here; the figures' own rules are in replication-status.service.spec.ts).
 */
import { HealthEndpoints, MeridianMetrics, startHealthServer } from '@meridian/telemetry';
import { FakeRegionServices } from '../../test/fakes/fake-region-services';
import { FakeReplicationRepository } from '../../test/fakes/fake-replication.repository';
import { CopyThroughput } from '../blobs/copy-throughput';
import { type PeerBacklog, PeerLinks } from './peer-links';
import { ReplicationMetrics } from './replication-metrics';
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

describe(ReplicationMetrics.name, () => {
  const now = Date.parse('2026-11-23T12:00:00.000Z');
  const links = new FakePeerLinks();
  const registry = new MeridianMetrics({ service: 'replication', region: 'eu-west', env: {} });
  let server: Awaited<ReturnType<typeof startHealthServer>>;

  beforeAll(async () => {
    const status = new ReplicationStatusService(
      { region: 'eu-west', peers: ['us-east', 'ap-south'], failedAfterAttempts: 5 },
      new FakeReplicationRepository(),
      new FakeRegionServices(),
      links,
      new CopyThroughput(() => now),
      () => now,
    );
    new ReplicationMetrics(status).register(registry);
    server = await startHealthServer(new HealthEndpoints([], registry), 0, '127.0.0.1');
  });

  afterAll(async () => {
    await server.close();
    await registry.shutdown();
  });

  it('serves each peer’s lag, backlog and reachability at /metrics', async () => {
    links.connected.add('us-east');
    links.backlogs.set('us-east', {
      pending: 7,
      oldestOccurredAt: new Date(now - 42_000),
    });
    links.backlogs.set('ap-south', { pending: 0, oldestOccurredAt: undefined });

    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    const body = await response.text();

    expect(response.status).toBe(200);
    expect(body).toContain('# TYPE meridian_replication_oldest_pending_age_seconds gauge');
    // the replication lag: age of the oldest event of the peer not yet applied here
    expect(body).toMatch(
      /^meridian_replication_oldest_pending_age_seconds\{region="eu-west",peer="us-east"\} 42$/m,
    );
    // nothing pending from ap-south: no age to report
    expect(body).not.toContain(
      'meridian_replication_oldest_pending_age_seconds{region="eu-west",peer="ap-south"}',
    );
    expect(body).toMatch(
      /^meridian_replication_events_pending\{region="eu-west",peer="us-east"\} 7$/m,
    );
    expect(body).toMatch(
      /^meridian_replication_peer_connected\{region="eu-west",peer="ap-south"\} 0$/m,
    );
    expect(body).toMatch(
      /^meridian_replication_copy_bytes_per_second\{region="eu-west",peer="us-east"\} 0$/m,
    );
  });
});
