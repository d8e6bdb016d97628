/**
 * The management API (`/api/v1/...`) of one region for gateway integration tests, with the
 * real auth service (its admin account enabled) and the services the API under test calls
 * as child processes, their own nats-server, a fresh Postgres database and a temporary
 * filesystem store; the gateway runs in this process on a free port.
 *
 * A test calls the API as a user does: with Basic credentials (the admin's, or a service
 * principal's made by `principal`), so the roles it checks are the auth service's own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@meridian/telemetry';
import { createTestDatabase, freePort, startNatsServer } from '@meridian/testing';
import { loadConfig } from '../src/config';
import { createGatewayApp } from '../src/gateway-app';
import { repositoryRoot, startService } from './registry.harness';

export interface Credentials {
  username: string;
  password: string;
}

export interface ManagementApiOptions {
  /** names the nats-server, the database and the store directory (`[a-z-]+`) */
  name: string;
  /** the services beside auth the API under test calls, started in this order */
  services?: ReadonlyArray<'blob' | 'manifest' | 'replication' | 'webhook'>;
  /** more of the environment of the services and the gateway */
  env?: NodeJS.ProcessEnv;
}

export interface CallOptions {
  /** the admin when not given */
  as?: Credentials;
  /** sent as JSON */
  body?: unknown;
  /** sent as it is, as `application/json` (malformed JSON, say) */
  rawBody?: string;
}

export interface ManagementApiUnderTest {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** the region's database, for tests that check what bad input left unchanged */
  readonly databaseUrl: string;
  /** the region's filesystem store */
  readonly storeDir: string;
  readonly admin: Credentials;
  /** a request to `path` with Basic credentials */
  call(method: string, path: string, options?: CallOptions): Promise<Response>;
  /** the body of `response` as JSON, once its status is `status` (the body shown otherwise) */
  json<T = Record<string, unknown>>(response: Response, status: number): Promise<T>;
  /** a service principal with one role, made by the admin */
  principal(id: string, role: string): Promise<Credentials>;
  stop(): Promise<void>;
}

export async function startManagementApi(
  options: ManagementApiOptions,
): Promise<ManagementApiUnderTest> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const nats = await startNatsServer({ serverName: `${options.name}-test` });
    cleanups.push(() => nats.stop());
    const database = await createTestDatabase(options.name.replaceAll('-', '_'));
    cleanups.push(() => database.drop());
    const storeDir = await mkdtemp(join(tmpdir(), `meridian-${options.name}-store-`));
    cleanups.push(() => rm(storeDir, { recursive: true, force: true }));
    const admin: Credentials = { username: 'admin', password: `${options.name}-admin-pw` };
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MERIDIAN_REGION: 'us-east',
      MERIDIAN_NATS_URL: nats.url,
      DATABASE_URL: database.url,
      MERIDIAN_STORAGE_DRIVER: 'filesystem',
      MERIDIAN_STORAGE_DIR: storeDir,
      MERIDIAN_HOST: '127.0.0.1',
      MERIDIAN_PORT: String(port),
      MERIDIAN_LOG_LEVEL: 'info',
      MERIDIAN_ADMIN_PASSWORD: admin.password,
      ...options.env,
    };
    for (const service of ['auth', ...(options.services ?? [])]) {
      const child = startService(service, env);
      cleanups.push(() => child.stop());
      await child.waitForLine((line) => line.text.includes('"service ready"'), {
        timeoutMs: 60_000,
        description: `${service} service ready`,
      });
    }
    const config = { ...loadConfig(env, repositoryRoot), logLevel: 'warn' } as const;
    const logger = createLogger({ service: 'gateway', region: 'us-east', level: 'warn' });
    const { app: gateway } = await createGatewayApp(config, logger);
    await gateway.listen(port, '127.0.0.1');
    cleanups.push(() => gateway.close());
    const url = `http://127.0.0.1:${port}`;

    const call = (method: string, path: string, callOptions: CallOptions = {}) => {
      const as = callOptions.as ?? admin;
      const headers: Record<string, string> = {
        authorization: `Basic ${Buffer.from(`${as.username}:${as.password}`).toString('base64')}`,
      };
      const body =
        callOptions.rawBody ??
        (callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body));
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    };
    const json = async <T>(response: Response, status: number): Promise<T> => {
      const text = await response.text();
      expect({ status: response.status, text }).toMatchObject({ status });
      return (text ? JSON.parse(text) : undefined) as T;
    };
    const principal = async (id: string, role: string): Promise<Credentials> => {
      const created = await json<{ secret: string }>(
        await call('PUT', `/api/v1/service-principals/${id}`, { body: { roles: [role] } }),
        201,
      );
      return { username: id, password: created.secret };
    };
    return { url, databaseUrl: database.url, storeDir, admin, call, json, principal, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
