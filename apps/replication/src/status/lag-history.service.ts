/**
 * The lag history: once per sample interval (a minute by default), each peer link's lag
 * (the age of the oldest of its events not yet applied here), backlog and reachability, from
 * the same figures as `replication.regions`, kept a day in the region's Postgres. Every
 * replica samples; a sample's time is the start of its interval, so one interval keeps one
 * sample per peer however many replicas run. A failed sample (Postgres or NATS down) is
 * logged and the next interval tries again; the chart shows the gap.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import type { LagSample, RpcRequest, RpcResponse, replicationRpc } from '@meridian/contracts';
import { type Logger, loggerToken } from '@meridian/telemetry';
import {
  type ReplicationSettings,
  nowToken,
  replicationSettingsToken,
} from '../replication/replication.settings';
import { LagSamplesRepository } from './lag-samples.repository';
import { ReplicationStatusService } from './replication-status.service';

type LagHistory = typeof replicationRpc.lagHistory;

export const lagSampleIntervalToken = Symbol('LagSampleIntervalMs');
/** how long samples are kept: the longest history the RPC can be asked for */
export const lagHistoryKeptMs = 24 * 60 * 60 * 1000;

@Injectable()
export class LagHistoryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    @Inject(replicationSettingsToken) private readonly settings: ReplicationSettings,
    @Inject(lagSampleIntervalToken) private readonly intervalMs: number,
    private readonly status: ReplicationStatusService,
    private readonly samples: LagSamplesRepository,
    @Inject(loggerToken) private readonly logger: Logger,
    @Optional() @Inject(nowToken) now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  onApplicationBootstrap(): void {
    if (this.settings.peers.length === 0) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Takes this interval's sample of every peer; never throws. */
  async sample(): Promise<void> {
    try {
      const now = this.now();
      const time = new Date(now - (now % this.intervalMs)).toISOString();
      const { peers } = await this.status.regions();
      for (const peer of peers) {
        await this.samples.record({
          peer: peer.region,
          time,
          lagMs: peer.oldestPendingAgeMs ?? 0,
          pending: peer.eventsPending,
          connected: peer.connected,
        });
      }
      await this.samples.prune(new Date(now - lagHistoryKeptMs));
    } catch (err) {
      this.logger.warn({ err }, 'failed to sample the replication lag');
    }
  }

  async history({ minutes }: RpcRequest<LagHistory>): Promise<RpcResponse<LagHistory>> {
    const rows = await this.samples.since(new Date(this.now() - minutes * 60_000));
    const byPeer = new Map<string, LagSample[]>(this.settings.peers.map((peer) => [peer, []]));
    for (const { peer, ...sample } of rows) byPeer.get(peer)?.push(sample);
    return {
      region: this.settings.region,
      sampleIntervalSeconds: Math.round(this.intervalMs / 1000),
      peers: [...byPeer].map(([region, samples]) => ({ region, samples })),
    };
  }
}
