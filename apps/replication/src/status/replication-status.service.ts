/**
 * Answers where an image is ready (`replication.status`) and how each peer link is doing
 * (`replication.regions`). A region with no status row for a pushed image has not said
 * anything about it yet: it is pending since the push. Each peer link also tells
 * anti-entropy's progress with that peer.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type PeerStatus,
  type RegionStatus,
  RegistryError,
  type RpcRequest,
  type RpcResponse,
  isRegistryError,
  type replicationRpc,
} from '@meridian/contracts';
import { AntiEntropyProgress } from '../anti-entropy/anti-entropy-progress';
import { CopyThroughput } from '../blobs/copy-throughput';
import { RegionServices } from '../replication/region-services';
import { type ImageStatusRow, ReplicationRepository } from '../replication/replication.repository';
import {
  type ReplicationSettings,
  nowToken,
  replicationSettingsToken,
} from '../replication/replication.settings';
import { PeerLinks } from './peer-links';

type Status = typeof replicationRpc.status;
type Regions = typeof replicationRpc.regions;

@Injectable()
export class ReplicationStatusService {
  private readonly now: () => number;

  constructor(
    @Inject(replicationSettingsToken) private readonly settings: ReplicationSettings,
    private readonly repository: ReplicationRepository,
    private readonly services: RegionServices,
    private readonly links: PeerLinks,
    private readonly throughput: CopyThroughput,
    @Optional() @Inject(nowToken) now?: () => number,
    @Optional() private readonly antiEntropy?: AntiEntropyProgress,
  ) {
    this.now = now ?? Date.now;
  }

  async status({ repository, reference }: RpcRequest<Status>): Promise<RpcResponse<Status>> {
    // resolved even for a digest: an image deleted everywhere has no status, whatever it had
    const digest = await this.resolve(repository, reference);
    const rows = await this.repository.statusOf(repository, digest);
    const pushedAt = earliest(rows.map((row) => row.pushedAt)) ?? new Date(this.now());
    const byRegion = new Map(rows.map((row) => [row.region, row]));
    const regions = [this.settings.region, ...this.settings.peers].map((region) =>
      regionStatus(region, byRegion.get(region), pushedAt),
    );
    return { repository, digest, regions };
  }

  async regions(): Promise<RpcResponse<Regions>> {
    const errors = await this.repository.peerErrors();
    const peers = await Promise.all(
      this.settings.peers.map(async (peer): Promise<PeerStatus> => {
        const [connected, backlog] = await Promise.all([
          this.links.isConnected(peer),
          this.links.backlog(peer).catch(() => ({ pending: 0, oldestOccurredAt: undefined })),
        ]);
        const lastError = errors.get(peer);
        const antiEntropy = this.antiEntropy?.status(peer);
        return {
          region: peer,
          connected,
          eventsPending: backlog.pending,
          ...(backlog.oldestOccurredAt
            ? { oldestPendingAgeMs: Math.max(0, this.now() - backlog.oldestOccurredAt.getTime()) }
            : {}),
          copyBytesPerSecond: this.throughput.bytesPerSecond(peer),
          ...(lastError
            ? { lastError: lastError.error, lastErrorAt: lastError.at.toISOString() }
            : {}),
          ...(antiEntropy ? { antiEntropy } : {}),
        };
      }),
    );
    return { region: this.settings.region, peers };
  }

  /** The digest a reference names here, or else in the first peer that knows it. */
  private async resolve(repository: string, reference: string): Promise<string> {
    let miss: RegistryError | undefined;
    for (const region of [this.settings.region, ...this.settings.peers]) {
      try {
        return (await this.services.getManifest(region, repository, reference, false)).digest;
      } catch (error) {
        if (!isRegistryError(error)) throw error;
        if (error.code === 'UNAVAILABLE') continue;
        // a region that knows the repository says more than one that does not
        if (!miss || miss.code === 'NAME_UNKNOWN') miss = error;
      }
    }
    throw miss ?? new RegistryError('UNAVAILABLE', 'no region answered');
  }
}

function regionStatus(
  region: string,
  row: ImageStatusRow | undefined,
  pushedAt: Date,
): RegionStatus {
  if (!row) return { region, state: 'pending', since: pushedAt.toISOString() };
  return {
    region,
    state: row.state,
    since: row.since.toISOString(),
    ...(row.state === 'ready' && row.lagMs !== undefined ? { lagMs: row.lagMs } : {}),
    ...(row.lastError === undefined ? {} : { lastError: row.lastError }),
  };
}

function earliest(dates: Date[]): Date | undefined {
  return dates.length === 0
    ? undefined
    : new Date(Math.min(...dates.map((date) => date.getTime())));
}
