/**
 * The lag history with the real replication service, sampling every second here: while
 * eu-west's manifest service is down, an image pushed in us-east waits in eu-west and its
 * samples show events pending and a growing lag; once the service is back, the lag falls to
 * zero. The history is in eu-west's Postgres: a replication service killed and started again
 * still answers the samples taken before, and goes on sampling.
 */
import { randomBytes } from 'node:crypto';
import { type LagSample, replicationRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { TwoRegions } from './two-regions.harness';

describe('the replication lag history', () => {
  let regions: TwoRegions;
  const sampleBefore = process.env['MERIDIAN_REPLICATION_LAG_SAMPLE_SECONDS'];

  beforeAll(async () => {
    process.env['MERIDIAN_REPLICATION_LAG_SAMPLE_SECONDS'] = '1';
    regions = await TwoRegions.start('lag_history');
  }, 180_000);

  afterAll(async () => {
    await regions?.stop();
    if (sampleBefore === undefined) delete process.env['MERIDIAN_REPLICATION_LAG_SAMPLE_SECONDS'];
    else process.env['MERIDIAN_REPLICATION_LAG_SAMPLE_SECONDS'] = sampleBefore;
  });

  async function samplesOfUsEast(minutes = 60): Promise<LagSample[]> {
    const history = await regions
      .region('eu-west')
      .client.request(replicationRpc.lagHistory, { minutes });
    expect(history.region).toBe('eu-west');
    expect(history.sampleIntervalSeconds).toBe(1);
    expect(history.peers.map((peer) => peer.region)).toEqual(['us-east']);
    return history.peers[0]!.samples;
  }

  it('samples a growing lag while eu-west cannot apply, and zero once it has caught up', async () => {
    const usEast = regions.region('us-east');
    const euWest = regions.region('eu-west');
    // caught up with what us-east wrote at start (its admin account)
    await expectEventually(
      async () => {
        const samples = await samplesOfUsEast();
        expect(samples.at(-1)).toMatchObject({ connected: true, lagMs: 0, pending: 0 });
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );

    await euWest.kill('manifest');
    const blobs = [
      await usEast.pushBlob('team/lag', Buffer.from('{"architecture":"amd64","os":"linux"}')),
      await usEast.pushBlob('team/lag', randomBytes(64 * 1024)),
    ];
    await usEast.pushImage('team/lag', 'v1', blobs);

    const waiting = await expectEventually(
      async () => {
        const samples = (await samplesOfUsEast()).filter((sample) => sample.pending > 0);
        // the stuck push ages a second a sample (events before it may settle meanwhile:
        // the lag is the age of the oldest pending one)
        const [a, b, c] = samples.slice(-3);
        expect(c?.lagMs).toBeGreaterThan(b!.lagMs);
        expect(b?.lagMs).toBeGreaterThan(a!.lagMs);
        return samples;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // one sample a second, oldest first, each older than the last by the interval
    const times = waiting.map((sample) => Date.parse(sample.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((time) => time % 1000 === 0)).toBe(true);
    expect(waiting.at(-1)!.lagMs).toBeGreaterThanOrEqual(1000);

    await euWest.start('manifest');
    await expectEventually(
      async () => {
        expect((await samplesOfUsEast()).at(-1)).toMatchObject({ lagMs: 0, pending: 0 });
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    // the history outlives the process that took it
    await euWest.kill('replication');
    await euWest.start('replication');
    const after = await samplesOfUsEast();
    expect(after).toEqual(expect.arrayContaining(waiting));
    const last = Date.parse(after.at(-1)!.time);
    await expectEventually(
      async () => expect(Date.parse((await samplesOfUsEast()).at(-1)!.time)).toBeGreaterThan(last),
      { timeoutMs: 10_000, intervalMs: 250 },
    );

    // a shorter window answers fewer samples
    expect((await samplesOfUsEast(1)).length).toBeLessThanOrEqual(61);
  }, 180_000);
});
