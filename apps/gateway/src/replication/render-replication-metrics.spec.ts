import { renderReplicationMetrics } from './render-replication-metrics';

describe(renderReplicationMetrics.name, () => {
  it('writes one gauge per figure and peer, labelled with both regions', () => {
    const sut = renderReplicationMetrics({
      region: 'eu-west',
      peers: [
        {
          region: 'us-east',
          connected: true,
          eventsPending: 3,
          oldestPendingAgeMs: 1500,
          copyBytesPerSecond: 1048576,
          lastError: 'manifest unknown',
          lastErrorAt: '2026-11-23T14:00:00.000Z',
        },
      ],
    });
    const samples = sut.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(samples).toEqual([
      'meridian_replication_peer_connected{region="eu-west",peer="us-east"} 1',
      'meridian_replication_events_pending{region="eu-west",peer="us-east"} 3',
      'meridian_replication_oldest_pending_age_seconds{region="eu-west",peer="us-east"} 1.5',
      'meridian_replication_copy_bytes_per_second{region="eu-west",peer="us-east"} 1048576',
      `meridian_replication_last_error_timestamp_seconds{region="eu-west",peer="us-east"} ${Date.parse('2026-11-23T14:00:00.000Z') / 1000}`,
    ]);
    expect(sut).toContain('# TYPE meridian_replication_events_pending gauge');
  });

  it('leaves out what a peer has no value for, and a disconnected peer reads 0', () => {
    const sut = renderReplicationMetrics({
      region: 'us-east',
      peers: [{ region: 'eu-west', connected: false, eventsPending: 0, copyBytesPerSecond: 0 }],
    });
    expect(sut).toContain('meridian_replication_peer_connected{region="us-east",peer="eu-west"} 0');
    expect(sut).not.toContain('oldest_pending_age_seconds{');
    expect(sut).not.toContain('last_error_timestamp_seconds{');
  });

  it("counts anti-entropy's repairs per peer and kind", () => {
    const sut = renderReplicationMetrics({
      region: 'eu-west',
      peers: [
        {
          region: 'us-east',
          connected: true,
          eventsPending: 0,
          copyBytesPerSecond: 0,
          antiEntropy: {
            state: 'idle',
            mode: 'continuous',
            repositoriesCompared: 12,
            repositoriesDiffering: 1,
            repaired: 2,
            aheadOfClock: 0,
            repairs: { manifest: 1, tag: 1, lock: 0 },
          },
        },
      ],
    });
    expect(sut).toContain('# TYPE meridian_replication_repairs_total counter');
    expect(sut).toContain(
      'meridian_replication_repairs_total{region="eu-west",peer="us-east",kind="manifest"} 1',
    );
    expect(sut).toContain(
      'meridian_replication_repairs_total{region="eu-west",peer="us-east",kind="lock"} 0',
    );
  });
});
