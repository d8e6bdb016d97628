/**
 * A whole region for gateway integration tests: its own nats-server (JetStream), a fresh
 * Postgres database, a temporary filesystem store, the real blob and manifest services
 * as child processes (`node -r @swc-node/register apps/<svc>/src/main.ts`, ready once they
 * log `service ready`), and the gateway in this process on a free port, so a test can
 * restart it or look at its store.
 *
 * Authentication is on, as in production: a TestTokenIssuer answers for the auth service
 * (or, with `auth: 'service'`, the real auth service runs as a child process too), and
 * `request` fetches (through the gateway's own `/oauth2/token`) and sends the admin's token
 * for whatever the request touches, so a test about uploads reads like one.
 * `anonymousRequest` sends none.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type StorageDriver, createStorageDriver } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import {
  type ManagedProcess,
  createTestDatabase,
  freePort,
  spawnProcess,
  startNatsServer,
  startOrReuseCephRgw,
} from '@meridian/testing';
import { isOciValidationError, parseDistributionPath } from '@meridian/oci';
import { type GatewayConfig, loadConfig } from '../src/config';
import { createGatewayApp } from '../src/gateway-app';
import { TestTokenIssuer, everything } from './test-token-issuer';

export const repositoryRoot = resolve(__dirname, '..', '..', '..');
const verbose = process.env['MERIDIAN_TEST_VERBOSE'] === '1';

export interface RegistryUnderTest {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<health port>`: `/livez`, `/readyz` and `/metrics` */
  readonly healthUrl: string;
  readonly config: GatewayConfig;
  /** the region's store, to check that nothing was written */
  readonly store: StorageDriver;
  /** the region's database, for tests that look behind the services (or hold a blob) */
  readonly databaseUrl: string;
  /** the region's nats-server (no authentication), for tests that watch the RPCs */
  readonly natsUrl: string;
  /** the stand-in auth service: its keys, accounts and anonymous-pull switch (not with `auth: 'service'`) */
  readonly auth: TestTokenIssuer;
  /** the account `request` authenticates as: may do everything */
  readonly admin: { username: string; password: string };
  /**
   * `fetch` of a path of this registry, with the admin's token for the repository it names
   * (unless `init` sets its own Authorization)
   */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** `fetch` without any credentials */
  anonymousRequest(path: string, init?: RequestInit): Promise<Response>;
  /** `Bearer <admin token>` for a request to `path`, for tests that write raw HTTP */
  authorization(path: string): Promise<string>;
  /** a token from `/oauth2/token` for these scopes, with Basic credentials (or none) */
  token(scopes: string[], credentials?: { username: string; password: string }): Promise<string>;
  /** a fresh gateway process state (its caches and running hashes gone), same port */
  restartGateway(): Promise<void>;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /**
   * Run the gateway as `main.ts` in a child process with this many workers, as the launcher
   * does, instead of in this process (`restartGateway` is then unavailable).
   */
  gatewayWorkers?: number;
  /** the store: a temporary directory by default, or a bucket on a real S3 server (Ceph RGW) */
  storage?: 'filesystem' | 's3';
  /**
   * who answers the auth RPCs: the test issuer (default; tests can mint any token), or the
   * real auth service (`apps/auth`, its admin account enabled with the harness's password)
   */
  auth?: 'test-issuer' | 'service';
  /** more of the gateway's environment (MERIDIAN_TRUSTED_PROXIES, say) */
  gatewayEnv?: NodeJS.ProcessEnv;
  /** more services beside blob and manifest (the webhook service, say) */
  moreServices?: Array<'webhook'>;
  /** more of the services' environment (MERIDIAN_STORAGE_QUOTA_BYTES, say) */
  servicesEnv?: NodeJS.ProcessEnv;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryUnderTest> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const nats = await startNatsServer({ serverName: 'gateway-test' });
    cleanups.push(() => nats.stop());
    const admin = { username: 'admin', password: randomBytes(12).toString('hex') };
    let auth: TestTokenIssuer | undefined;
    if (options.auth !== 'service') {
      const issuer = await TestTokenIssuer.start({
        natsUrl: nats.url,
        region: 'us-east',
        audience: 'meridian',
      });
      cleanups.push(() => issuer.close());
      issuer.accounts.set(admin.username, { password: admin.password, allows: everything });
      auth = issuer;
    }
    const database = await createTestDatabase('gateway');
    cleanups.push(() => database.drop());
    const storeDir = await mkdtemp(join(tmpdir(), 'meridian-gateway-store-'));
    cleanups.push(() => rm(storeDir, { recursive: true, force: true }));
    const storageEnv: NodeJS.ProcessEnv = {
      MERIDIAN_STORAGE_DRIVER: 'filesystem',
      MERIDIAN_STORAGE_DIR: storeDir,
    };
    if (options.storage === 's3') {
      const s3 = await startOrReuseCephRgw();
      cleanups.push(() => s3.stop());
      Object.assign(storageEnv, {
        MERIDIAN_STORAGE_DRIVER: 's3',
        MERIDIAN_S3_ENDPOINT: s3.endpoint,
        MERIDIAN_S3_REGION: s3.region,
        MERIDIAN_S3_BUCKET: `gateway-${randomBytes(6).toString('hex')}`,
        MERIDIAN_S3_ACCESS_KEY_ID: s3.accessKeyId,
        MERIDIAN_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        MERIDIAN_S3_REDIRECT: 'true',
      });
    }

    const port = await freePort();
    const healthPort = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MERIDIAN_REGION: 'us-east',
      MERIDIAN_NATS_URL: nats.url,
      DATABASE_URL: database.url,
      ...storageEnv,
      MERIDIAN_HOST: '127.0.0.1',
      MERIDIAN_PORT: String(port),
      // the services' `service ready` line is an info line
      MERIDIAN_LOG_LEVEL: verbose ? 'debug' : 'info',
      MERIDIAN_ADMIN_PASSWORD: admin.password,
      // no replication service here: a push missing a blob asks it, briefly, in vain
      MERIDIAN_PEER_BLOB_FETCH_TIMEOUT_MS: '300',
    };
    const services = [
      'blob',
      'manifest',
      ...(options.auth === 'service' ? ['auth'] : []),
      ...(options.moreServices ?? []),
      ...(options.gatewayWorkers ? ['gateway'] : []),
    ];
    for (const service of services) {
      const child = startService(service, {
        ...env,
        ...(service === 'gateway' ? {} : options.servicesEnv),
        ...(service === 'gateway'
          ? { ...options.gatewayEnv, MERIDIAN_HEALTH_PORT: String(healthPort) }
          : {}),
        MERIDIAN_GATEWAY_WORKERS: String(options.gatewayWorkers ?? 1),
      });
      cleanups.push(() => child.stop());
      await child.waitForLine((line) => line.text.includes('"service ready"'), {
        timeoutMs: 60_000,
        description: `${service} service ready`,
      });
    }

    const config = {
      ...loadConfig({ ...env, ...options.gatewayEnv }, repositoryRoot),
      logLevel: verbose ? 'debug' : 'warn',
    } as const;
    const logger = createLogger({
      service: 'gateway',
      region: config.region,
      level: config.logLevel,
      destination: process.stderr,
    });
    let gateway: NestFastifyApplication | undefined;
    const startGateway = async (): Promise<void> => {
      ({ app: gateway } = await createGatewayApp(config, logger, {
        port: healthPort,
        host: '127.0.0.1',
      }));
      await gateway.listen(port, '127.0.0.1');
    };
    const stopGateway = async (): Promise<void> => {
      await gateway?.close();
      gateway = undefined;
    };
    if (!options.gatewayWorkers) {
      await startGateway();
      cleanups.push(stopGateway);
    }

    const url = `http://127.0.0.1:${port}`;
    const token = async (
      scopes: string[],
      credentials?: { username: string; password: string },
    ): Promise<string> => {
      const query = new URLSearchParams({ service: config.auth.registryName });
      for (const scope of scopes) query.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credentials) {
        const basic = `${credentials.username}:${credentials.password}`;
        headers['authorization'] = `Basic ${Buffer.from(basic).toString('base64')}`;
      }
      const response = await fetch(`${url}/oauth2/token?${query}`, { headers });
      if (response.status !== 200) {
        throw new Error(`token request failed: ${response.status} ${await response.text()}`);
      }
      return ((await response.json()) as { token: string }).token;
    };
    const adminTokens = new Map<string, { token: string; fetchedAt: number }>();
    const authorization = async (path: string): Promise<string> => {
      const scopes = adminScopes(path);
      const key = scopes.join(' ');
      const cached = adminTokens.get(key);
      if (cached && Date.now() - cached.fetchedAt < 120_000) return `Bearer ${cached.token}`;
      const fresh = { token: await token(scopes, admin), fetchedAt: Date.now() };
      adminTokens.set(key, fresh);
      return `Bearer ${fresh.token}`;
    };
    return {
      url,
      healthUrl: `http://127.0.0.1:${healthPort}`,
      config,
      get auth(): TestTokenIssuer {
        if (!auth) throw new Error('the real auth service answers here: no test issuer');
        return auth;
      },
      admin,
      store: await createStorageDriver(config.storage),
      databaseUrl: database.url,
      natsUrl: nats.url,
      async request(path, init) {
        const headers = new Headers(init?.headers);
        if (!headers.has('authorization') && path.startsWith('/v2')) {
          headers.set('authorization', await authorization(path));
        }
        return fetch(`${url}${path}`, { ...init, headers });
      },
      anonymousRequest: (path, init) => fetch(`${url}${path}`, init),
      authorization,
      token,
      async restartGateway() {
        if (options.gatewayWorkers) throw new Error('the gateway runs in a child process');
        await stopGateway();
        await startGateway();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * What the admin asks a token for, to send a request to `path`: everything on the
 * repository it names and on a mount's source, and the catalog. A path that names no valid
 * repository needs no token: it is refused before authorization.
 */
function adminScopes(path: string): string[] {
  const scopes = ['registry:catalog:*'];
  let route;
  try {
    route = parseDistributionPath(path);
  } catch (error) {
    if (isOciValidationError(error)) return scopes;
    throw error;
  }
  if (route !== undefined && 'name' in route) {
    scopes.push(`repository:${route.name}:pull,push,delete`);
  }
  const from = new URLSearchParams(path.split('?')[1] ?? '').get('from');
  if (from) scopes.push(`repository:${from}:pull`);
  return scopes;
}

/** `apps/<service>/src/main.ts` in a child process, compiled as it loads */
export function startService(service: string, env: NodeJS.ProcessEnv): ManagedProcess {
  return spawnProcess({
    name: service,
    command: process.execPath,
    args: ['-r', '@swc-node/register', join('apps', service, 'src', 'main.ts')],
    cwd: repositoryRoot,
    env,
    stopGraceMs: 5_000,
  });
}

/** The same registry, its `request` sending these headers (a token of the test's own) instead. */
export function requestingWith(
  registry: RegistryUnderTest,
  headers: Record<string, string>,
): RegistryUnderTest {
  return Object.assign(Object.create(registry) as RegistryUnderTest, {
    request: (path: string, init?: RequestInit) =>
      registry.anonymousRequest(path, {
        ...init,
        headers: { ...(init?.headers as Record<string, string> | undefined), ...headers },
      }),
  });
}
