/**
 * The auth service as it runs in a region, for integration tests: the real AppModule on a
 * fresh Postgres database and its own nats-server with JetStream, a client calling the RPCs
 * as the gateway does, and a JetStream consumer collecting every event the region's stream
 * receives.
 */
import type { INestMicroservice } from '@nestjs/common';
import {
  type RpcDefinition,
  type RpcRequest,
  type RpcResponse,
  authRpc,
  eventNameOfSubject,
  eventStreamName,
} from '@meridian/contracts';
import { type Sql, createSql } from '@meridian/database';
import { Nats, RpcClient, type RpcContext, startRpcService } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import {
  type TestDatabase,
  type TestNatsServer,
  createTestDatabase,
  startNatsServer,
} from '@meridian/testing';
import { type JWTPayload, type JWTVerifyResult, createLocalJWKSet, jwtVerify } from 'jose';
import { AppModule } from '../src/app.module';
import type { AuthConfig } from '../src/config';

export const region = 'us-east';
export const adminPassword = 'correct horse battery staple';
export const registryName = 'meridian-test';

export interface StreamEvent {
  name: string;
  payload: Record<string, unknown>;
}

export class AuthServiceHarness {
  private constructor(
    private readonly db: TestDatabase,
    private readonly nats: TestNatsServer,
    private readonly app: INestMicroservice,
    private readonly gateway: Nats,
    readonly client: RpcClient,
    readonly events: StreamEvent[],
    private readonly stopCollecting: () => Promise<void>,
    readonly sql: Sql,
    readonly config: AuthConfig,
  ) {}

  static async start(
    label: string,
    overrides: Partial<AuthConfig> = {},
  ): Promise<AuthServiceHarness> {
    const logger = createLogger({ service: 'auth', region, level: 'silent' });
    const db = await createTestDatabase(label);
    const nats = await startNatsServer();
    const config: AuthConfig = {
      region,
      natsUrls: [nats.url],
      databaseUrl: db.url,
      logLevel: 'silent',
      adminPassword,
      issuer: 'meridian',
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 86_400,
      signingKeyRotationHours: 0,
      peers: [],
      loginFailureLimit: 10,
      loginFailureWindowSeconds: 300,
      loginAddressFailureLimit: 100,
      loginIdentityFailureLimit: 100,
      ...overrides,
    };
    const app = await startRpcService(AppModule.forRoot({ config, logger }), {
      logger: false,
      abortOnError: false,
    });
    await app.get(Nats).connection.flush();
    const gateway = await Nats.connect({
      servers: nats.url,
      region: config.region,
      service: 'gateway',
      logger,
    });
    const { events, stop } = await collectEvents(gateway);
    return new AuthServiceHarness(
      db,
      nats,
      app,
      gateway,
      new RpcClient(gateway),
      events,
      stop,
      createSql(db.url),
      config,
    );
  }

  async stop(): Promise<void> {
    await this.stopCollecting();
    await this.app.close();
    await this.gateway.close();
    await this.sql.end();
    await this.nats.stop();
    await this.db.drop();
  }

  /** One of the service's own providers, to drive what a timer otherwise does. */
  provider<T>(type: abstract new (...args: never[]) => T): T {
    return this.app.get(type);
  }

  /** Calls an RPC as the gateway does, on behalf of the admin account. */
  call<D extends RpcDefinition>(def: D, payload: RpcRequest<D>): Promise<RpcResponse<D>> {
    const context: RpcContext = { actor: { name: 'admin' }, request: { id: 'req-test' } };
    return this.client.request(def, payload, { context });
  }

  /** A password login for the given scopes. */
  login(
    username: string,
    password: string,
    scopes: string[],
    extra: { offline?: boolean; clientAddr?: string } = {},
  ) {
    return this.call(authRpc.token, {
      credentials: { grant: 'password', username, password },
      service: registryName,
      scopes,
      offline: extra.offline ?? false,
      ...(extra.clientAddr ? { clientAddr: extra.clientAddr } : {}),
    });
  }

  /** Verifies an access token as the gateway does: with the keys `auth.keys` publishes. */
  async verify(token: string): Promise<JWTVerifyResult<JWTPayload & { access: unknown }>> {
    const { keys, issuer } = await this.call(authRpc.keys, {});
    return jwtVerify(token, createLocalJWKSet({ keys: keys as never }), {
      issuer,
      audience: registryName,
      algorithms: ['ES256'],
    });
  }

  eventsNamed(name: string): StreamEvent[] {
    return this.events.filter((event) => event.name === name);
  }
}

/** An ordered consumer from the start of the region's stream, collecting in the background. */
async function collectEvents(
  messaging: Nats,
): Promise<{ events: StreamEvent[]; stop(): Promise<void> }> {
  const consumer = await messaging.jetStream().consumers.get(eventStreamName(messaging.region));
  const messages = await consumer.consume();
  const events: StreamEvent[] = [];
  const collecting = (async () => {
    for await (const message of messages) {
      events.push({
        name: eventNameOfSubject(message.subject) ?? message.subject,
        payload: message.json<Record<string, unknown>>(),
      });
    }
  })();
  return {
    events,
    async stop() {
      await messages.close();
      await collecting;
    },
  };
}

/** The error an RPC call was refused with. */
export async function refusal(call: Promise<unknown>): Promise<{ code: string; detail?: unknown }> {
  try {
    await call;
  } catch (error) {
    return error as { code: string; detail?: unknown };
  }
  throw new Error('expected the call to be refused');
}
