/**
 * The stores of the other regions, as the environment spells them. Replication copies a
 * blob from the region that received it, so the replication service opens every peer's
 * store read-only beside its own. MERIDIAN_PEERS lists the peer region ids (comma
 * separated); each peer's store takes the MERIDIAN_STORAGE_* / MERIDIAN_S3_* variables of
 * storage-env.ts with the prefix MERIDIAN_PEER_<REGION>_ (region upper-cased, dashes as
 * underscores), e.g. MERIDIAN_PEER_EU_WEST_STORAGE_DIR. A peer store is never redirected
 * to: clients only ever see their own region's store.
 */
import { ConfigError, type ConfigProblem } from '@meridian/config';
import { RegionId, type ReplicationStorageView } from '@meridian/contracts';
import {
  type StorageEnvKey,
  storageConfigFromEnv,
  storageEnvExpectations,
  withStorageEnv,
} from './storage-env';
import type { StorageConfig } from './create-storage-driver';

/** The storage variables a peer store takes; clients are never sent to a peer's store. */
export const peerStorageEnvKeys = [
  'MERIDIAN_STORAGE_DRIVER',
  'MERIDIAN_STORAGE_DIR',
  'MERIDIAN_S3_ENDPOINT',
  'MERIDIAN_S3_REGION',
  'MERIDIAN_S3_BUCKET',
  'MERIDIAN_S3_ACCESS_KEY_ID',
  'MERIDIAN_S3_SECRET_ACCESS_KEY',
  'MERIDIAN_S3_FORCE_PATH_STYLE',
] as const satisfies readonly StorageEnvKey[];
export type PeerStorageEnvKey = (typeof peerStorageEnvKeys)[number];

const storageSchema = withStorageEnv({});

type Env = Readonly<Record<string, string | undefined>>;

/** `us-east`, `MERIDIAN_S3_BUCKET` → `MERIDIAN_PEER_US_EAST_S3_BUCKET`. */
export function peerStorageEnvKey(peer: string, key: PeerStorageEnvKey): string {
  return `MERIDIAN_PEER_${peer.toUpperCase().replaceAll('-', '_')}_${key.slice('MERIDIAN_'.length)}`;
}

/** The peer region ids of MERIDIAN_PEERS, in order; none when it is unset. */
export function peerRegionsFromEnv(env: Env): RegionId[] {
  const peers = (env['MERIDIAN_PEERS'] ?? '')
    .split(',')
    .map((peer) => peer.trim())
    .filter((peer) => peer !== '');
  const valid = peers.every((peer) => RegionId.safeParse(peer).success);
  if (!valid || new Set(peers).size !== peers.length)
    throw new ConfigError([
      {
        key: 'MERIDIAN_PEERS',
        expected: 'distinct region ids separated by commas, e.g. eu-west,ap-south',
      },
    ]);
  return peers;
}

/**
 * Every peer's store, by region id; a relative directory is taken from `cwd`, and a peer
 * without a directory uses `.meridian/<peer>/store` like that region's own services do.
 * Throws ConfigError naming every bad or missing peer variable.
 */
export function peerStorageConfigsFromEnv(
  env: Env,
  cwd: string = process.cwd(),
): Record<RegionId, StorageConfig> {
  const configs: Record<RegionId, StorageConfig> = {};
  const problems: ConfigProblem[] = [];
  for (const peer of peerRegionsFromEnv(env)) {
    const parsed = storageSchema.safeParse(peerStorageEnv(env, peer));
    if (parsed.success) {
      configs[peer] = {
        ...storageConfigFromEnv(parsed.data, peer, cwd),
        ...noRedirect(parsed.data),
      };
      continue;
    }
    const keys = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
    for (const key of peerStorageEnvKeys)
      if (keys.has(key))
        problems.push({ key: peerStorageEnvKey(peer, key), expected: storageEnvExpectations[key] });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return configs;
}

/** The peer's prefixed variables under their plain names; empty means unset. */
function peerStorageEnv(env: Env, peer: string): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const key of peerStorageEnvKeys) {
    const value = env[peerStorageEnvKey(peer, key)];
    if (value !== undefined && value !== '') plain[key] = value;
  }
  return plain;
}

function noRedirect(env: { MERIDIAN_STORAGE_DRIVER: string }): { redirect?: false } {
  return env.MERIDIAN_STORAGE_DRIVER === 's3' ? { redirect: false } : {};
}

/**
 * A peer's store as a replication record describes it (`PUT /api/v1/replications`), with its
 * S3 secret given in the clear by the caller, which opened it: read-only use, never
 * redirected to.
 */
export function replicationStorageConfig(
  storage: ReplicationStorageView,
  secretAccessKey: () => string,
): StorageConfig {
  if (storage.type === 'filesystem') return { driver: 'filesystem', rootDirectory: storage.path };
  return {
    driver: 's3',
    ...(storage.endpoint === undefined ? {} : { endpoint: storage.endpoint }),
    bucket: storage.bucket,
    region: storage.region,
    accessKeyId: storage.accessKeyId,
    secretAccessKey: secretAccessKey(),
    forcePathStyle: storage.forcePathStyle,
    redirect: false,
  };
}
