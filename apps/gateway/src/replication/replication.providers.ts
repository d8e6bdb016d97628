/**
 * The gateway's part in geo-replication, as the app module registers it: the status and
 * regions API, and the catch-up lookups the manifest and blob routes fall back on.
 * The peer configuration is read here, once per process at start (a bad value stops the
 * gateway naming the key), then follows the replications (peer-stores-refresher.ts).
 */
import type { Provider, Type } from '@nestjs/common';
import { CatchUp, catchUpConfigToken } from './catch-up.service';
import { PeerStores } from './peer-stores';
import { PeerStoresRefresher } from './peer-stores-refresher';
import { type CatchUpConfig, loadCatchUpConfig } from './catch-up.config';
import { ReplicationController } from './replication.controller';

export const replicationControllers: Array<Type<unknown>> = [ReplicationController];

export function replicationProviders(
  config: CatchUpConfig = loadCatchUpConfig(process.env),
): Provider[] {
  return [
    { provide: catchUpConfigToken, useValue: config },
    { provide: PeerStores, useValue: new PeerStores(config.peerStores) },
    PeerStoresRefresher,
    CatchUp,
  ];
}
