/**
 * The other regions' stores, opened on first use: a gateway that never has to serve a
 * blob its region lacks never connects to a peer's store. Read-only by convention: the
 * gateway only streams from them (they never redirect: clients see only their own store).
 *
 * The peers change at runtime (replications): the set starts as the environment says
 * (MERIDIAN_PEERS, MERIDIAN_PEER_<REGION>_*) and is then what this region's replication
 * service answers (`replication.peer-stores`), read every few seconds by
 * `PeerStoresRefresher`; a store whose settings changed is opened anew.
 */
import { type StorageConfig, type StorageDriver, createStorageDriver } from '@meridian/storage';

export class PeerStores {
  private configs: Readonly<Record<string, StorageConfig>>;
  private readonly opened = new Map<string, Promise<StorageDriver>>();

  constructor(configs: Readonly<Record<string, StorageConfig>>) {
    this.configs = configs;
  }

  get regions(): string[] {
    return Object.keys(this.configs);
  }

  /** Makes the peers exactly `configs`; a store whose settings changed is opened anew. */
  replace(configs: Readonly<Record<string, StorageConfig>>): void {
    for (const region of this.opened.keys())
      if (JSON.stringify(configs[region]) !== JSON.stringify(this.configs[region]))
        this.opened.delete(region);
    this.configs = configs;
  }

  /** The peer's store, or undefined for a region that is not a configured peer. */
  async get(region: string): Promise<StorageDriver | undefined> {
    const config = this.configs[region];
    if (config === undefined) return undefined;
    let store = this.opened.get(region);
    if (store === undefined) {
      store = createStorageDriver(config);
      const opening = store;
      // a failed open (S3 unreachable) is tried again by the next request
      store.catch(() => {
        if (this.opened.get(region) === opening) this.opened.delete(region);
      });
      this.opened.set(region, store);
    }
    return store;
  }
}
