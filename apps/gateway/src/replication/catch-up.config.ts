/**
 * What the gateway needs to know about peer regions to serve pulls while this region
 * catches up: which peers there are and where their stores live (MERIDIAN_PEERS and
 * MERIDIAN_PEER_<REGION>_*, parsed by libs/storage's peer-storage-env.ts, the same
 * variables the replication service reads), and how long to wait for the replication
 * service's lookup before answering 503 (it cannot tell): longer than the replication
 * service's own wait for a peer (1 s), so a dead peer is answered as a miss, not a 503.
 */
import { type EnvExpectations, parseEnv } from '@meridian/config';
import { type StorageConfig, peerStorageConfigsFromEnv } from '@meridian/storage';
import { z } from 'zod';

const schema = z.object({
  MERIDIAN_CATCH_UP_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1_500),
});

const expectations: EnvExpectations<typeof schema> = {
  MERIDIAN_CATCH_UP_TIMEOUT_MS: 'milliseconds, 50 to 60000',
};

export interface CatchUpConfig {
  /** peer region id → its store; empty when this region has no peers (no catch-up) */
  peerStores: Record<string, StorageConfig>;
  /** a lookup slower than this is a 503 with Retry-After: a pull or push must not wait long */
  timeoutMs: number;
}

/** Throws ConfigError naming every bad key. */
export function loadCatchUpConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): CatchUpConfig {
  const peerStores = peerStorageConfigsFromEnv(env, cwd);
  const config = parseEnv(schema, expectations, env);
  return { peerStores, timeoutMs: config.MERIDIAN_CATCH_UP_TIMEOUT_MS };
}
