import { RegistryError } from '@meridian/contracts';
import { PeerBreaker } from './peer-breaker';

/** A peer as the breaker sees it: answers, says "unknown", or never answers in time. */
class FakePeer {
  calls = 0;
  mode: 'answers' | 'unknown' | 'unreachable' = 'answers';
  private pending?: () => void;

  /** the next call hangs until `release()` (a probe in flight) */
  hangNext = false;

  call = async (): Promise<string> => {
    this.calls += 1;
    if (this.hangNext) {
      this.hangNext = false;
      await new Promise<void>((resolve) => (this.pending = resolve));
    }
    if (this.mode === 'unreachable')
      throw new RegistryError('UNAVAILABLE', 'the manifest service did not answer');
    if (this.mode === 'unknown') throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown');
    return 'manifest';
  };

  release(): void {
    this.pending?.();
  }
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof RegistryError ? error.code : 'other';
  }
}

describe(PeerBreaker.name, () => {
  let clock: number;
  let peer: FakePeer;
  let sut: PeerBreaker;

  beforeEach(() => {
    clock = 0;
    peer = new FakePeer();
    sut = new PeerBreaker({ baseBackoffMs: 1_000, maxBackoffMs: 4_000 }, () => clock);
  });

  it('lets every call through while the peer answers, even "unknown"', async () => {
    expect(await sut.call('us-east', peer.call)).toBe('manifest');
    peer.mode = 'unknown';
    expect(await codeOf(sut.call('us-east', peer.call))).toBe('MANIFEST_UNKNOWN');
    expect(await codeOf(sut.call('us-east', peer.call))).toBe('MANIFEST_UNKNOWN');
    expect(peer.calls).toBe(3);
    expect(sut.state('us-east')).toBe('closed');
  });

  it('skips a peer that did not answer, without calling it, until the backoff is over', async () => {
    peer.mode = 'unreachable';
    expect(await codeOf(sut.call('us-east', peer.call))).toBe('UNAVAILABLE');
    expect(sut.state('us-east')).toBe('open');

    clock = 999;
    expect(await codeOf(sut.call('us-east', peer.call))).toBe('UNAVAILABLE');
    expect(peer.calls).toBe(1);

    // other peers are not affected
    expect(await sut.call('ap-south', async () => 'theirs')).toBe('theirs');
  });

  it('lets one probe through after the backoff, and closes once the peer answers', async () => {
    peer.mode = 'unreachable';
    await codeOf(sut.call('us-east', peer.call));
    clock = 1_000;
    expect(sut.state('us-east')).toBe('half-open');

    peer.mode = 'answers';
    peer.hangNext = true;
    const probe = sut.call('us-east', peer.call);
    // while the probe is out, the others are still skipped
    expect(await codeOf(sut.call('us-east', peer.call))).toBe('UNAVAILABLE');
    peer.release();
    expect(await probe).toBe('manifest');
    expect(peer.calls).toBe(2);

    expect(sut.state('us-east')).toBe('closed');
    expect(await sut.call('us-east', peer.call)).toBe('manifest');
  });

  it('doubles the backoff after each failed probe, up to the maximum', async () => {
    peer.mode = 'unreachable';
    await codeOf(sut.call('us-east', peer.call));
    const skippedUntil: number[] = [];
    for (let probe = 0; probe < 4; probe++) {
      // find when the next probe is let through
      while (sut.state('us-east') === 'open') clock += 100;
      skippedUntil.push(clock);
      expect(await codeOf(sut.call('us-east', peer.call))).toBe('UNAVAILABLE');
    }
    const waits = skippedUntil.map((at, index) => at - (skippedUntil[index - 1] ?? 0));
    expect(waits).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(peer.calls).toBe(5);
  });

  it('closes on an answer that is an error other than UNAVAILABLE', async () => {
    peer.mode = 'unreachable';
    await codeOf(sut.call('us-east', peer.call));
    clock = 1_000;
    peer.mode = 'unknown';
    expect(await codeOf(sut.call('us-east', peer.call))).toBe('MANIFEST_UNKNOWN');
    expect(sut.state('us-east')).toBe('closed');
  });
});
