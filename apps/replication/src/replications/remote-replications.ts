/**
 * What the replications need of other regions, across the leaf link: hand a region this
 * region's set (`replications-merge`), read its set (`replications-state`), ask how its
 * backfill goes (`replication.regions`), and whether its JetStream domain answers. Each call
 * is short and goes through the peer's circuit breaker (peer-breaker.ts), so a region that
 * does not answer costs one timeout, never a loop that holds up the others. An interface of
 * its own so the service is tested against an in-memory fake.
 */
import { Injectable } from '@nestjs/common';
import {
  type PeerStatus,
  type ReplicationRecord,
  replicationRpc,
  replicationsRpc,
} from '@meridian/contracts';
import { Nats, RpcClient } from '@meridian/messaging';
import { PeerBreaker } from '../replication/peer-breaker';

export abstract class RemoteReplications {
  abstract merge(region: string, records: readonly ReplicationRecord[]): Promise<void>;
  abstract state(region: string): Promise<ReplicationRecord[]>;
  /** The region's own links: its anti-entropy with each of its peers. */
  abstract peerLinks(region: string): Promise<PeerStatus[]>;
  abstract domainAnswers(natsDomain: string): Promise<boolean>;
}

/** A set is small; the region's replication service answers it from one query. */
const setTimeoutMs = 2_000;
/** the region's own status asks its peers' domains (1 s each, side by side) */
const linksTimeoutMs = 3_000;
const domainTimeoutMs = 1_000;

@Injectable()
export class NatsRemoteReplications extends RemoteReplications {
  constructor(
    private readonly rpc: RpcClient,
    private readonly nats: Nats,
    private readonly breaker: PeerBreaker,
  ) {
    super();
  }

  async merge(region: string, records: readonly ReplicationRecord[]): Promise<void> {
    await this.breaker.call(region, () =>
      this.rpc.request(
        replicationsRpc.merge,
        { records: [...records] },
        { region, timeoutMs: setTimeoutMs },
      ),
    );
  }

  async state(region: string): Promise<ReplicationRecord[]> {
    const { records } = await this.breaker.call(region, () =>
      this.rpc.request(replicationsRpc.state, {}, { region, timeoutMs: setTimeoutMs }),
    );
    return records;
  }

  async peerLinks(region: string): Promise<PeerStatus[]> {
    const { peers } = await this.breaker.call(region, () =>
      this.rpc.request(replicationRpc.regions, {}, { region, timeoutMs: linksTimeoutMs }),
    );
    return peers;
  }

  async domainAnswers(natsDomain: string): Promise<boolean> {
    try {
      await this.nats.connection.request(`$JS.${natsDomain}.API.INFO`, undefined, {
        timeout: domainTimeoutMs,
      });
      return true;
    } catch {
      return false;
    }
  }
}
