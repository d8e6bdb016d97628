/**
 * Keeps the gateway's peer stores what this region's replication service says they are
 * (`replication.peer-stores`), read every few seconds with a short timeout: a region added
 * at runtime is served by catch-up and counted by usage within seconds, without a restart.
 * When the replication service does not answer, the last set read stays in use.
 */
import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type PeerStoreAccess, replicationsRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { type StorageConfig, replicationStorageConfig } from '@meridian/storage';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { PeerStores } from './peer-stores';

const refreshMs = 5_000;
const timeoutMs = 1_000;

@Injectable()
export class PeerStoresRefresher implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;

  constructor(
    private readonly rpc: RpcClient,
    private readonly stores: PeerStores,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.refreshing = this.refresh();
    this.timer = setInterval(() => {
      this.refreshing ??= this.refresh();
    }, refreshMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
  }

  async refresh(): Promise<void> {
    try {
      const { peers } = await this.rpc.request(replicationsRpc.peerStores, {}, { timeoutMs });
      this.stores.replace(
        Object.fromEntries(peers.map((peer) => [peer.region, storageConfigOf(peer.storage)])),
      );
    } catch (err) {
      this.logger.debug({ err }, 'could not read the peer stores; the last ones stay in use');
    } finally {
      this.refreshing = undefined;
    }
  }
}

function storageConfigOf(storage: PeerStoreAccess['storage']): StorageConfig {
  return replicationStorageConfig(storage, () =>
    storage.type === 's3' ? storage.secretAccessKey : '',
  );
}
