/**
 * A replication's store between its three forms: the environment's `StorageConfig` (a seed),
 * the API's input (with the secret), and the record kept and replicated (the secret sealed),
 * back to a `StorageConfig` to open it with. A peer's store is only read from, never
 * redirected to: clients only ever see their own region's store.
 */
import type {
  PeerStoreAccess,
  ReplicationRecord,
  ReplicationStorageInput,
  ReplicationStorageView,
} from '@meridian/contracts';
import type { SecretBox } from '@meridian/outbound';
import { type StorageConfig, replicationStorageConfig } from '@meridian/storage';

export type StoredStorage = Pick<ReplicationRecord, 'storage' | 'sealedSecret'>;

/** The API's store, its secret sealed. */
export function storageOfInput(input: ReplicationStorageInput, box: SecretBox): StoredStorage {
  if (input.type === 'filesystem') return { storage: { type: 'filesystem', path: input.path } };
  return {
    storage: {
      type: 's3',
      endpoint: input.endpoint,
      bucket: input.bucket,
      region: input.region ?? 'us-east-1',
      accessKeyId: input.accessKeyId,
      forcePathStyle: input.forcePathStyle ?? true,
    },
    sealedSecret: box.seal(input.secretAccessKey),
  };
}

/** The environment's store (MERIDIAN_STORAGE_* or MERIDIAN_PEER_<REGION>_*), its secret sealed. */
export function storageOfConfig(config: StorageConfig, box: SecretBox): StoredStorage {
  if (config.driver === 'filesystem')
    return { storage: { type: 'filesystem', path: config.rootDirectory } };
  return {
    storage: {
      type: 's3',
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      bucket: config.bucket,
      region: config.region ?? 'us-east-1',
      accessKeyId: config.accessKeyId,
      forcePathStyle: config.forcePathStyle ?? true,
    },
    sealedSecret: box.seal(config.secretAccessKey),
  };
}

/** What a peer's store is opened with; throws when its secret cannot be opened here. */
export function storageConfigOf(
  storage: ReplicationStorageView,
  sealedSecret: string | undefined,
  box: SecretBox,
): StorageConfig {
  return replicationStorageConfig(storage, () => {
    if (sealedSecret === undefined) throw new Error('the S3 secret access key is missing');
    return box.open(sealedSecret);
  });
}

/** The store with its secret opened, for this region's gateway; throws when it cannot be opened. */
export function storageAccessOf(
  { storage, sealedSecret }: StoredStorage,
  box: SecretBox,
): PeerStoreAccess['storage'] {
  if (storage.type === 'filesystem') return storage;
  if (sealedSecret === undefined) throw new Error('the S3 secret access key is missing');
  return { ...storage, secretAccessKey: box.open(sealedSecret) };
}
