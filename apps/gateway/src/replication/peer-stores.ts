/**
 * The other regions' stores, opened on first use: a gateway that never has to serve a
 * blob its region lacks never connects to a peer's store. Read-only by convention: the
 * gateway only streams from them (they never redirect: clients see only their own store).
 */
import { type StorageConfig, type StorageDriver, createStorageDriver } from '@meridian/storage';

export class PeerStores {
  private readonly opened = new Map<string, Promise<StorageDriver>>();

  constructor(private readonly configs: Readonly<Record<string, StorageConfig>>) {}

  get regions(): string[] {
    return Object.keys(this.configs);
  }

  /** The peer's store, or undefined for a region that is not a configured peer. */
  async get(region: string): Promise<StorageDriver | undefined> {
    const config = this.configs[region];
    if (config === undefined) return undefined;
    let store = this.opened.get(region);
    if (store === undefined) {
      store = createStorageDriver(config);
      // a failed open (S3 unreachable) is tried again by the next request
      store.catch(() => this.opened.delete(region));
      this.opened.set(region, store);
    }
    return store;
  }
}
