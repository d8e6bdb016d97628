/**
 * Builds the gateway: the store, then Nest on Fastify, tuned for a registry:
 * - request bodies are never parsed: one content-type parser for every type hands the
 *   body on untouched, so uploads stream from `request.raw` into the store and manifest
 *   PUTs read theirs with a hard cap (Fastify's bodyLimit plays no part); `100 Continue`
 *   is sent when a handler starts reading (expect-continue.ts), so a refusal comes first;
 * - `Docker-Distribution-API-Version` is set on the node response of every request, so
 *   errors, 404s and directly written responses all carry it; a request the router refuses
 *   before any hook (a URL that does not decode) is answered by answer-framework-error.ts;
 * - every request is a span and counted in the metrics (observe-requests.ts); `/livez` and
 *   `/readyz` answer outside the registry's auth (health.routes.ts), and with a health port
 *   all three health paths, `/metrics` too, answer there (never on the registry's port);
 * - the client's address is the connection's, or what a trusted proxy's `X-Forwarded-For`
 *   says (MERIDIAN_TRUSTED_PROXIES): it keys the failed-login counts;
 * - without MERIDIAN_PUBLIC_URL, a request under a Host the gateway cannot vouch for is
 *   refused, so no token realm names a host of the caller's choosing
 *   (auth/refuse-unknown-host.ts);
 * - the web portal's static files answer under `/portal` (portal/portal.routes.ts).
 * main.ts listens; tests call this with their own configuration.
 */
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createStorageDriver, storageReadinessProbe } from '@meridian/storage';
import {
  HealthEndpoints,
  type Logger,
  NestPinoLogger,
  findReadinessProbes,
  startHealthServer,
} from '@meridian/telemetry';
import { AppModule } from './app.module';
import type { GatewayConfig } from './config';
import { answerFrameworkError } from './http/answer-framework-error';
import { continueOnFirstRead } from './http/expect-continue';
import { registerHealthRoutes } from './http/health.routes';
import { refuseUnstorableUrl } from './http/refuse-unstorable-url';
import { observeRequests } from './http/observe-requests';
import { registerPortalRoutes } from './portal/portal.routes';
import { refuseUnknownHosts } from './auth/refuse-unknown-host';

export interface GatewayHealthServer {
  /** MERIDIAN_HEALTH_PORT (`0`: a free one) */
  port: number;
  host: string;
}

export interface GatewayApp {
  app: NestFastifyApplication;
  /** the health server's port, when one was asked for */
  healthPort: number | undefined;
}

export async function createGatewayApp(
  config: GatewayConfig,
  logger: Logger,
  healthServer?: GatewayHealthServer,
): Promise<GatewayApp> {
  const storage = await createStorageDriver(config.storage);
  const { idleTimeoutMs, requestTimeoutMs } = config.http;
  const headersTimeoutMs =
    requestTimeoutMs > 0
      ? Math.min(config.http.headersTimeoutMs, requestTimeoutMs)
      : config.http.headersTimeoutMs;
  const adapter = new FastifyAdapter({
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: () => randomUUID(),
    // Uploads of large layers over slow links take as long as they take (no total limit
    // unless the operator sets one); what is bounded is silence: a connection on which
    // nothing moves for the idle timeout is closed, failing its request and releasing
    // what it held (config.ts, GatewayHttpConfig).
    requestTimeout: requestTimeoutMs,
    connectionTimeout: idleTimeoutMs,
    http: {
      headersTimeout: headersTimeoutMs,
      // how often node looks for requests past the headers or request timeout
      connectionsCheckingInterval: Math.min(30_000, headersTimeoutMs),
    },
    // registry clients keep connections open between the many requests of a push or pull
    keepAliveTimeout: 75_000,
    // a request on an open connection while the gateway stops is served, not turned away
    // with a 503 a client would not retry; new connections are refused from the start
    return503OnClosing: false,
    // X-Forwarded-For from anyone else is the client's own claim, not a proxy's
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    frameworkErrors: answerFrameworkError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ config, logger, storage }),
    adapter,
    {
      bodyParser: false,
      logger: new NestPinoLogger(logger),
    },
  );
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null));
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.raw.setHeader('docker-distribution-api-version', 'registry/2.0');
    done();
  });
  if (config.auth.mode === 'on' && config.auth.publicUrl === undefined) {
    refuseUnknownHosts(fastify, config.host);
  }
  continueOnFirstRead(fastify.server);
  observeRequests(fastify);
  refuseUnstorableUrl(fastify);
  const health = new HealthEndpoints([...findReadinessProbes(app), storageReadinessProbe(storage)]);
  registerHealthRoutes(fastify, health);
  registerPortalRoutes(fastify);
  const healthListener = healthServer
    ? await startHealthServer(health, healthServer.port, healthServer.host)
    : undefined;
  if (healthListener) fastify.addHook('onClose', async () => healthListener.close());
  // Fastify ends the connections that are idle the moment it closes; one whose response
  // finishes a moment later would hold the shutdown for the whole keep-alive timeout.
  fastify.addHook('preClose', (done) => {
    health.markStopping();
    const server = fastify.server;
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.once('close', () => clearInterval(sweep));
    done();
  });
  return { app, healthPort: healthListener?.port };
}
