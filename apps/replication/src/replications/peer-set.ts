/**
 * The regions this region replicates with right now, and their stores: the live view of the
 * replications table that everything in the replication service iterates (consumers,
 * anti-entropy, lookups, blob copies and repairs, status, the lag history). It changes at
 * runtime; whoever keeps something per peer subscribes with `onChange` and is told, one
 * change after the other, which regions joined, left or changed their domain or store.
 *
 * A peer's store is opened when it joins (or changes). A store that does not open (endpoint
 * down, a secret sealed under another key) leaves the peer in the set, its copies failing
 * with the reason until a later `reopen` succeeds: one region's bad store blocks no other.
 */
import { RegistryError, type RegionId, type ReplicationStorageView } from '@meridian/contracts';
import type { StorageDriver } from '@meridian/storage';
import type { Logger } from '@meridian/telemetry';

export interface PeerLink {
  region: RegionId;
  natsDomain: string;
  storage: ReplicationStorageView;
  /** the S3 secret, sealed */
  sealedSecret?: string;
}

export interface PeerChange {
  added: RegionId[];
  removed: RegionId[];
  /** domain or store changed */
  changed: RegionId[];
}

export type OpenPeerStore = (link: PeerLink) => Promise<StorageDriver>;
type Listener = (change: PeerChange) => Promise<void>;

interface Peer {
  link: PeerLink;
  store?: StorageDriver;
  storeError?: string;
}

export class PeerSet {
  private readonly peers = new Map<RegionId, Peer>();
  private readonly listeners: Listener[] = [];
  private updating: Promise<unknown> = Promise.resolve();

  constructor(
    readonly region: RegionId,
    private readonly openStore: OpenPeerStore,
    private readonly logger: Logger,
  ) {}

  /** The peers now, in the order they joined. Read it each time: it changes. */
  get regions(): RegionId[] {
    return [...this.peers.keys()];
  }

  has(region: string): boolean {
    return this.peers.has(region);
  }

  /** The JetStream domain of a peer (its region id when it is not one). */
  natsDomain(region: string): string {
    return this.peers.get(region)?.link.natsDomain ?? region;
  }

  /** The peer's store; UNAVAILABLE when it is no peer or its store did not open. */
  store(region: string): StorageDriver {
    const peer = this.peers.get(region);
    if (peer?.store) return peer.store;
    throw new RegistryError(
      'UNAVAILABLE',
      peer
        ? `the store of region ${region} is not open: ${peer.storeError ?? 'opening'}`
        : `region ${region} is not a replication of this registry`,
      { region },
    );
  }

  /** The peers' links now, in the order they joined. */
  get links(): PeerLink[] {
    return [...this.peers.values()].map((peer) => peer.link);
  }

  /** Why the peer's store did not open; undefined when it is open. */
  storeError(region: string): string | undefined {
    const peer = this.peers.get(region);
    return peer && !peer.store ? (peer.storeError ?? 'opening') : undefined;
  }

  /** Called after every change, in order; a listener that throws is logged, the others still run. */
  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  /** Makes the set exactly `links`; resolves once every listener has taken the change. */
  update(links: readonly PeerLink[]): Promise<PeerChange> {
    const next = this.updating.then(() => this.apply(links));
    this.updating = next.catch(() => undefined);
    return next;
  }

  /** Tries again to open the stores that did not open. */
  async reopen(): Promise<void> {
    await Promise.all(
      [...this.peers.values()].filter((peer) => !peer.store).map((peer) => this.open(peer)),
    );
  }

  private async apply(links: readonly PeerLink[]): Promise<PeerChange> {
    const wanted = new Map(
      links.filter((link) => link.region !== this.region).map((link) => [link.region, link]),
    );
    const change: PeerChange = { added: [], removed: [], changed: [] };
    for (const region of this.peers.keys())
      if (!wanted.has(region)) {
        this.peers.delete(region);
        change.removed.push(region);
      }
    const opening: Array<Promise<void>> = [];
    for (const [region, link] of wanted) {
      const current = this.peers.get(region);
      if (current && sameLink(current.link, link)) continue;
      const peer: Peer = { link };
      this.peers.set(region, peer);
      (current ? change.changed : change.added).push(region);
      opening.push(this.open(peer));
    }
    await Promise.all(opening);
    if (change.added.length + change.removed.length + change.changed.length === 0) return change;
    this.logger.info({ ...change, peers: this.regions }, 'peer regions changed');
    for (const listener of this.listeners)
      await listener(change).catch((err: unknown) =>
        this.logger.error({ err, ...change }, 'failed to apply a change of peer regions'),
      );
    return change;
  }

  private async open(peer: Peer): Promise<void> {
    try {
      const store = await this.openStore(peer.link);
      // the link may have changed meanwhile; a stale store is not kept
      if (this.peers.get(peer.link.region) !== peer) return;
      peer.store = store;
      delete peer.storeError;
    } catch (error) {
      peer.storeError = error instanceof Error ? error.message : String(error);
      this.logger.warn(
        { peer: peer.link.region, reason: peer.storeError },
        'the store of a peer region did not open',
      );
    }
  }
}

function sameLink(a: PeerLink, b: PeerLink): boolean {
  return (
    a.natsDomain === b.natsDomain &&
    a.sealedSecret === b.sealedSecret &&
    JSON.stringify(a.storage) === JSON.stringify(b.storage)
  );
}
