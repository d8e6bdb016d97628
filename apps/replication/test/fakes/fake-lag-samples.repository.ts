/** The lag history in memory, with the SQL one's rules: one sample per peer and time, the first kept. */
import { LagSamplesRepository, type PeerLagSample } from '../../src/status/lag-samples.repository';

export class FakeLagSamplesRepository extends LagSamplesRepository {
  readonly samples: PeerLagSample[] = [];

  async record(sample: PeerLagSample): Promise<void> {
    const kept = this.samples.some(
      (other) => other.peer === sample.peer && other.time === sample.time,
    );
    if (!kept) this.samples.push(sample);
  }

  async since(since: Date): Promise<PeerLagSample[]> {
    return this.samples
      .filter((sample) => Date.parse(sample.time) >= since.getTime())
      .sort((a, b) => a.time.localeCompare(b.time) || a.peer.localeCompare(b.peer));
  }

  async prune(before: Date): Promise<number> {
    const old = this.samples.filter((sample) => Date.parse(sample.time) < before.getTime());
    for (const sample of old) this.samples.splice(this.samples.indexOf(sample), 1);
    return old.length;
  }
}
