/**
 * The environment every service reads the same way, for health and shutdown:
 * MERIDIAN_HEALTH_PORT (unset: no health server) and MERIDIAN_SHUTDOWN_GRACE_SECONDS.
 */
import { parseEnv } from './parse-env';
import { z } from 'zod';

const RuntimeEnv = z.object({
  MERIDIAN_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MERIDIAN_HEALTH_HOST: z.string().min(1).default('0.0.0.0'),
  MERIDIAN_SHUTDOWN_GRACE_SECONDS: z.coerce.number().positive().max(3600).default(25),
});

export interface RuntimeConfig {
  healthPort?: number;
  healthHost: string;
  shutdownGraceMs: number;
}

export function loadRuntimeConfig(
  env: Readonly<Record<string, string | undefined>>,
): RuntimeConfig {
  const parsed = parseEnv(
    RuntimeEnv,
    {
      MERIDIAN_HEALTH_PORT: 'a port number (0 picks a free one)',
      MERIDIAN_HEALTH_HOST: 'an address to listen on',
      MERIDIAN_SHUTDOWN_GRACE_SECONDS: 'a number of seconds greater than 0',
    },
    env,
  );
  return {
    healthPort: parsed.MERIDIAN_HEALTH_PORT,
    healthHost: parsed.MERIDIAN_HEALTH_HOST,
    shutdownGraceMs: parsed.MERIDIAN_SHUTDOWN_GRACE_SECONDS * 1000,
  };
}
