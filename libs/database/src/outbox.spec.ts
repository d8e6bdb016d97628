import { HybridLogicalClock, compareHlc } from '@meridian/contracts';
import { Outbox } from './outbox';

describe(Outbox.name, () => {
  it('stamps envelopes after a remote reading it observed, even one ahead of its own clock', () => {
    const sut = new Outbox('manifest', new HybridLogicalClock('us-east', () => 1_000));
    const remote = '000000000005000.000007.eu-west';

    sut.observe(remote);
    const next = sut.envelope();

    expect(compareHlc(next.hlc, remote)).toBe(1);
    expect(next.hlc).toBe('000000000005000.000008.us-east');
  });

  it('ignores a remote reading older than its own clock', () => {
    const sut = new Outbox('manifest', new HybridLogicalClock('us-east', () => 9_000));
    const first = sut.envelope();

    sut.observe('000000000005000.000007.eu-west');

    expect(sut.envelope().hlc).toBe('000000000009000.000001.us-east');
    expect(first.hlc).toBe('000000000009000.000000.us-east');
  });
});
