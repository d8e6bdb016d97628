import { ConfigError } from '@meridian/config';
import {
  peerRegionsFromEnv,
  peerStorageConfigsFromEnv,
  peerStorageEnvKey,
} from './peer-storage-env';

function configError(attempt: () => unknown): ConfigError {
  try {
    attempt();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe(peerStorageEnvKey.name, () => {
  it('upper-cases the region and turns its dashes into underscores', () => {
    expect(peerStorageEnvKey('eu-west', 'MERIDIAN_S3_BUCKET')).toBe(
      'MERIDIAN_PEER_EU_WEST_S3_BUCKET',
    );
    expect(peerStorageEnvKey('ap-south-2', 'MERIDIAN_STORAGE_DIR')).toBe(
      'MERIDIAN_PEER_AP_SOUTH_2_STORAGE_DIR',
    );
  });
});

describe(peerRegionsFromEnv.name, () => {
  it('reads a comma list, ignoring blanks; none when unset', () => {
    expect(peerRegionsFromEnv({ MERIDIAN_PEERS: ' eu-west, ap-south ,' })).toEqual([
      'eu-west',
      'ap-south',
    ]);
    expect(peerRegionsFromEnv({})).toEqual([]);
    expect(peerRegionsFromEnv({ MERIDIAN_PEERS: '' })).toEqual([]);
  });

  it('refuses a bad or repeated region id', () => {
    expect(configError(() => peerRegionsFromEnv({ MERIDIAN_PEERS: 'EU_WEST' })).keys).toEqual([
      'MERIDIAN_PEERS',
    ]);
    expect(
      configError(() => peerRegionsFromEnv({ MERIDIAN_PEERS: 'eu-west,eu-west' })).keys,
    ).toEqual(['MERIDIAN_PEERS']);
  });
});

describe(peerStorageConfigsFromEnv.name, () => {
  it("defaults a peer to the filesystem store its own region's services use", () => {
    expect(
      peerStorageConfigsFromEnv(
        { MERIDIAN_PEERS: 'eu-west,ap-south', MERIDIAN_PEER_AP_SOUTH_STORAGE_DIR: 'data/ap' },
        '/srv',
      ),
    ).toEqual({
      'eu-west': { driver: 'filesystem', rootDirectory: '/srv/.meridian/eu-west/store' },
      'ap-south': { driver: 'filesystem', rootDirectory: '/srv/data/ap' },
    });
  });

  it('maps every S3 variable of a peer and never redirects to its store', () => {
    const configs = peerStorageConfigsFromEnv(
      {
        MERIDIAN_PEERS: 'eu-west',
        MERIDIAN_PEER_EU_WEST_STORAGE_DRIVER: 's3',
        MERIDIAN_PEER_EU_WEST_S3_ENDPOINT: 'http://rgw.eu-west:7480',
        MERIDIAN_PEER_EU_WEST_S3_REGION: 'eu-west-1',
        MERIDIAN_PEER_EU_WEST_S3_BUCKET: 'meridian-eu-west',
        MERIDIAN_PEER_EU_WEST_S3_ACCESS_KEY_ID: 'id',
        MERIDIAN_PEER_EU_WEST_S3_SECRET_ACCESS_KEY: 'secret',
        MERIDIAN_PEER_EU_WEST_S3_FORCE_PATH_STYLE: 'false',
        // the own store's variables say nothing about a peer's
        MERIDIAN_STORAGE_DRIVER: 'filesystem',
        MERIDIAN_S3_BUCKET: 'meridian-us-east',
      },
      '/srv',
    );
    expect(configs).toEqual({
      'eu-west': {
        driver: 's3',
        endpoint: 'http://rgw.eu-west:7480',
        publicEndpoint: undefined,
        region: 'eu-west-1',
        bucket: 'meridian-eu-west',
        accessKeyId: 'id',
        secretAccessKey: 'secret',
        forcePathStyle: false,
        redirect: false,
      },
    });
  });

  it('names every bad or missing variable of every peer, with its prefix', () => {
    const error = configError(() =>
      peerStorageConfigsFromEnv({
        MERIDIAN_PEERS: 'eu-west,ap-south',
        MERIDIAN_PEER_EU_WEST_STORAGE_DRIVER: 's3',
        MERIDIAN_PEER_EU_WEST_S3_BUCKET: 'Not A Bucket',
        MERIDIAN_PEER_AP_SOUTH_STORAGE_DRIVER: 'tape',
      }),
    );
    expect(error.keys.sort()).toEqual([
      'MERIDIAN_PEER_AP_SOUTH_STORAGE_DRIVER',
      'MERIDIAN_PEER_EU_WEST_S3_ACCESS_KEY_ID',
      'MERIDIAN_PEER_EU_WEST_S3_BUCKET',
      'MERIDIAN_PEER_EU_WEST_S3_SECRET_ACCESS_KEY',
    ]);
    expect(error.message).toContain(
      'MERIDIAN_PEER_AP_SOUTH_STORAGE_DRIVER: expected filesystem or s3',
    );
  });
});
