import { ConfigError } from '@meridian/config';
import { loadCatchUpConfig } from './catch-up.config';

describe(loadCatchUpConfig.name, () => {
  it('has no peers, so no catch-up, unless MERIDIAN_PEERS names some', () => {
    expect(loadCatchUpConfig({}, '/srv')).toEqual({ peerStores: {}, timeoutMs: 1_500 });
  });

  it("reads every peer's store and the lookup timeout", () => {
    const sut = loadCatchUpConfig(
      {
        MERIDIAN_PEERS: 'eu-west',
        MERIDIAN_PEER_EU_WEST_STORAGE_DIR: 'data/eu-west/store',
        MERIDIAN_CATCH_UP_TIMEOUT_MS: '500',
      },
      '/srv',
    );
    expect(sut).toEqual({
      peerStores: { 'eu-west': { driver: 'filesystem', rootDirectory: '/srv/data/eu-west/store' } },
      timeoutMs: 500,
    });
  });

  it('refuses a timeout that would make a dead peer cost every pull', () => {
    expect(() => loadCatchUpConfig({ MERIDIAN_CATCH_UP_TIMEOUT_MS: '600000' })).toThrow(
      ConfigError,
    );
  });
});
