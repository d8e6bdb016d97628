/**
 * A circuit breaker per peer region, for the calls replication makes across the link. A
 * partition NATS has not noticed yet (no TCP reset; the leafnode pings take seconds) makes
 * every request to the peer wait its whole timeout, and a pull or a push in this region
 * waits with it on every miss. So once a call to a peer went unanswered (UNAVAILABLE), the
 * peer is skipped at once (open) for a backoff that doubles with each failed probe (1 s up
 * to 4 s); after it, one call goes through (half-open) while the others are still skipped;
 * any answer, even "unknown", closes the breaker again.
 *
 * Only UNAVAILABLE opens it: an error the peer sent back proves the link works.
 */
import { RegistryError, isRegistryError } from '@meridian/contracts';

export interface PeerBreakerOptions {
  /** how long a peer is skipped after its first failure */
  baseBackoffMs: number;
  /** the longest it is skipped, however often its probes failed */
  maxBackoffMs: number;
}

export const defaultPeerBreakerOptions: PeerBreakerOptions = {
  baseBackoffMs: 1_000,
  maxBackoffMs: 4_000,
};

interface OpenCircuit {
  /** consecutive failed calls (the first one and every failed probe) */
  failures: number;
  /** the peer is skipped until then (ms, on the breaker's clock) */
  retryAt: number;
  /** a probe is in flight: others keep being skipped until it settles */
  probing: boolean;
}

/** closed: calls go through; open: skipped; half-open: one probe may go (or is going) through */
export type PeerState = 'closed' | 'open' | 'half-open';

export class PeerBreaker {
  private readonly open = new Map<string, OpenCircuit>();

  constructor(
    private readonly options: PeerBreakerOptions = defaultPeerBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `call` unless `peer` is skipped; a skipped call fails at once with UNAVAILABLE. */
  async call<T>(peer: string, call: () => Promise<T>): Promise<T> {
    const circuit = this.open.get(peer);
    if (circuit !== undefined) {
      if (circuit.probing || this.now() < circuit.retryAt)
        throw new RegistryError('UNAVAILABLE', `region ${peer} did not answer recently`, {
          region: peer,
        });
      circuit.probing = true;
    }
    try {
      const value = await call();
      this.open.delete(peer);
      return value;
    } catch (error) {
      if (isRegistryError(error) && error.code === 'UNAVAILABLE') this.failed(peer);
      else this.open.delete(peer);
      throw error;
    }
  }

  state(peer: string): PeerState {
    const circuit = this.open.get(peer);
    if (circuit === undefined) return 'closed';
    return !circuit.probing && this.now() < circuit.retryAt ? 'open' : 'half-open';
  }

  private failed(peer: string): void {
    const failures = (this.open.get(peer)?.failures ?? 0) + 1;
    const backoff = Math.min(
      this.options.baseBackoffMs * 2 ** (failures - 1),
      this.options.maxBackoffMs,
    );
    this.open.set(peer, { failures, retryAt: this.now() + backoff, probing: false });
  }
}
