/**
 * What anti-entropy reads of a region's registry state: pages of repository summaries and one
 * repository's state, from the manifest service of this region or of a peer (across the link,
 * through the peer's circuit breaker, so a peer known to be down is skipped at once). An
 * interface of its own so the pass is tested against an in-memory fake.
 */
import { Injectable } from '@nestjs/common';
import { type RepositoryState, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { PeerBreaker } from '../replication/peer-breaker';

export type SummariesPage = RpcResponse<typeof manifestRpc.summaries>;

export abstract class RegionStates {
  abstract summaries(
    region: string,
    after: string | undefined,
    limit: number,
  ): Promise<SummariesPage>;
  abstract state(region: string, repository: string): Promise<RepositoryState>;
}

/**
 * A page of summaries hashes up to a hundred repositories: a few times the 1 s a lookup gives
 * a peer, yet short enough that a dead peer costs one wait per pass.
 */
export const stateTimeoutMs = 5_000;

@Injectable()
export class NatsRegionStates extends RegionStates {
  constructor(
    private readonly rpc: RpcClient,
    private readonly breaker: PeerBreaker,
  ) {
    super();
  }

  summaries(region: string, after: string | undefined, limit: number): Promise<SummariesPage> {
    return this.inRegion(region, (options) =>
      this.rpc.request(manifestRpc.summaries, { ...(after ? { after } : {}), limit }, options),
    );
  }

  state(region: string, repository: string): Promise<RepositoryState> {
    return this.inRegion(region, (options) =>
      this.rpc.request(manifestRpc.repositoryState, { repository }, options),
    );
  }

  private inRegion<T>(
    region: string,
    call: (options: { region: string; timeoutMs: number }) => Promise<T>,
  ): Promise<T> {
    const options = { region, timeoutMs: stateTimeoutMs };
    if (region === this.rpc.region) return call(options);
    return this.breaker.call(region, () => call(options));
  }
}
