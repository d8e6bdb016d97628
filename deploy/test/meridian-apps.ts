/**
 * The Meridian services a deployment runs, and the parsers they read their environment
 * with at boot. The services are found in apps/ (every app with a `src/main.ts`, but the dev
 * launcher and the CLI), so a new service that the compose file or the Kubernetes base forgets fails
 * the deployment checks. Each service's own `loadConfig` (and the gateway's catch-up
 * settings) judge an environment, so the checks and the services cannot disagree on what
 * is required or well-formed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ConfigError, type RuntimeConfig, loadRuntimeConfig } from '@meridian/config';

export const repositoryRoot = join(__dirname, '..', '..');

/**
 * Run by developers on one machine (the launcher) or by operators against a registry (the
 * `meridian` CLI), never deployed as a service.
 */
const notDeployed = new Set(['dev', 'cli']);

export type Env = Record<string, string | undefined>;

/** Parses an environment as a service does at boot; throws ConfigError when it is bad. */
export type EnvParser = (env: Env, cwd: string) => unknown;

export function deployedServices(): string[] {
  return readdirSync(join(repositoryRoot, 'apps'))
    .filter((name) => !notDeployed.has(name))
    .filter((name) => existsSync(join(repositoryRoot, 'apps', name, 'src', 'main.ts')))
    .sort();
}

/** Loads a service's module by path: which services there are is known only at run time. */
const loadServiceModule = createRequire(__filename);

/** The service's `loadConfig`, and the gateway's catch-up settings beside it. */
export function envParsers(service: string): EnvParser[] {
  const { loadConfig } = loadServiceModule(
    join(repositoryRoot, 'apps', service, 'src', 'config'),
  ) as { loadConfig: EnvParser };
  if (service !== 'gateway') return [loadConfig];
  const { loadCatchUpConfig } = loadServiceModule(
    join(repositoryRoot, 'apps', 'gateway', 'src', 'replication', 'catch-up.config'),
  ) as { loadCatchUpConfig: EnvParser };
  return [loadConfig, loadCatchUpConfig];
}

/** The keys a service refuses to start without: the ones an empty environment is missing. */
export function requiredKeys(service: string): string[] {
  return envParsers(service).flatMap((parse) => {
    try {
      parse({}, repositoryRoot);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.keys;
      throw error;
    }
  });
}

/** What a service's parsers make of `env`: their configs, or the ConfigError's message. */
export function parseServiceEnv(service: string, env: Env): Array<Record<string, unknown>> {
  return envParsers(service).map((parse) => parse(env, '/app') as Record<string, unknown>);
}

/** What every service reads for health and shutdown (libs/config's runtime-env.ts). */
export function parseRuntimeEnv(env: Env): RuntimeConfig {
  return loadRuntimeConfig(env);
}

/**
 * Where a service's probes go, `/livez` and `/readyz`: the gateway's registry port, every
 * other service's MERIDIAN_HEALTH_PORT (none when it is unset). `/metrics` is on the
 * health port only, the gateway's too.
 */
export function healthPortOf(service: string, env: Env): number | undefined {
  if (service === 'gateway') return parseServiceEnv('gateway', env)[0]?.['port'] as number;
  return parseRuntimeEnv(env).healthPort;
}
