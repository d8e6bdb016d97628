import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError } from '@meridian/contracts';
import type { RpcClient } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import { PeerStores } from './peer-stores';
import { PeerStoresRefresher } from './peer-stores-refresher';

describe(PeerStoresRefresher.name, () => {
  let dir: string;
  let answer: () => unknown;
  let stores: PeerStores;
  let sut: PeerStoresRefresher;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-peer-stores-'));
    stores = new PeerStores({
      'eu-west': { driver: 'filesystem', rootDirectory: join(dir, 'eu') },
    });
    const rpc = { request: async () => answer() } as unknown as RpcClient;
    sut = new PeerStoresRefresher(
      rpc,
      stores,
      createLogger({ service: 'gateway', region: 'us-east', level: 'silent' }),
    );
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('serves a region added at runtime and forgets one removed', async () => {
    answer = () => ({
      peers: [{ region: 'ap-south', storage: { type: 'filesystem', path: join(dir, 'ap') } }],
    });
    await sut.refresh();
    expect(stores.regions).toEqual(['ap-south']);
    expect(await stores.get('ap-south')).toBeDefined();
    expect(await stores.get('eu-west')).toBeUndefined();
  });

  it('keeps the last peers read when the replication service does not answer', async () => {
    answer = () => {
      throw new RegistryError('UNAVAILABLE', 'replication did not answer');
    };
    await sut.refresh();
    expect(stores.regions).toEqual(['eu-west']);
  });

  it('opens a store anew when its settings changed', async () => {
    const before = await stores.get('eu-west');
    stores.replace({ 'eu-west': { driver: 'filesystem', rootDirectory: join(dir, 'eu') } });
    expect(await stores.get('eu-west')).toBe(before);
    stores.replace({ 'eu-west': { driver: 'filesystem', rootDirectory: join(dir, 'eu-2') } });
    expect(await stores.get('eu-west')).not.toBe(before);
  });
});
