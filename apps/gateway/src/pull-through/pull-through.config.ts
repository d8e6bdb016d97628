/**
 * What the gateway needs to fetch from upstream registries for the pull-through cache: the
 * operator's address rules (the same variables the replication service's imports read:
 * MERIDIAN_UPSTREAM_ALLOWED_HOSTS, MERIDIAN_INSECURE_UPSTREAMS), how long an upstream may
 * stay silent before a pull gives up on it (short: a cached copy is served instead), and how
 * long the import that stores a pulled image waits before it starts (the puller's blobs land
 * in the store meanwhile and are mounted, not fetched twice).
 */
import { CommaList, type EnvExpectations, parseEnv } from '@meridian/config';
import { z } from 'zod';

const schema = z.object({
  MERIDIAN_INSECURE_UPSTREAMS: CommaList.default([]),
  MERIDIAN_UPSTREAM_ALLOWED_HOSTS: CommaList.default([]),
  MERIDIAN_CACHE_UPSTREAM_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(5),
  MERIDIAN_CACHE_STORE_DELAY_SECONDS: z.coerce.number().min(0).max(600).default(5),
});

const expectations: EnvExpectations<typeof schema> = {
  MERIDIAN_INSECURE_UPSTREAMS:
    'comma-separated host[:port] an upstream may be reached at over plain HTTP',
  MERIDIAN_UPSTREAM_ALLOWED_HOSTS:
    'comma-separated host names, addresses or CIDRs an upstream may be reached at though internal',
  MERIDIAN_CACHE_UPSTREAM_TIMEOUT_SECONDS: 'seconds, more than 0 and at most 300',
  MERIDIAN_CACHE_STORE_DELAY_SECONDS: 'seconds, 0 to 600',
};

export interface PullThroughConfig {
  insecureUpstreams: string[];
  allowedUpstreams: string[];
  upstreamTimeoutMs: number;
  storeDelayMs: number;
}

/** Throws ConfigError naming every bad key. */
export function loadPullThroughConfig(env: NodeJS.ProcessEnv): PullThroughConfig {
  const config = parseEnv(schema, expectations, env);
  return {
    insecureUpstreams: config.MERIDIAN_INSECURE_UPSTREAMS.map((host) => host.toLowerCase()),
    allowedUpstreams: config.MERIDIAN_UPSTREAM_ALLOWED_HOSTS,
    upstreamTimeoutMs: config.MERIDIAN_CACHE_UPSTREAM_TIMEOUT_SECONDS * 1000,
    storeDelayMs: config.MERIDIAN_CACHE_STORE_DELAY_SECONDS * 1000,
  };
}
