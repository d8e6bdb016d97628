/**
 * The process's one NATS connection, shared by the service's RPC server, its RPC client,
 * its JetStream consumers and its publishing: one set of credentials, one TLS session, and
 * replies under the service's own inbox prefix, the only inbox its permissions let it
 * subscribe to (libs/contracts nats-permissions.ts). It is drained last on shutdown, after
 * the RPC server has answered what it took and the database has closed.
 */
import { serviceInboxPrefix } from '@meridian/contracts';
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EventStreamOptions } from './event-stream';
import { nkeySeedAuthenticator } from './nkey-authenticator';

export interface MessagingOptions {
  servers: string | string[];
  region: string;
  /** this process's service name: the queue group its handlers join */
  service: string;
  logger: Logger;
  /** how long an RPC waits for its answer unless the call says otherwise (10 s) */
  requestTimeoutMs?: number;
  /** this service's NATS credentials and TLS (libs/config nats-connection-env.ts) */
  auth?: MessagingAuth;
  /** how long the region's event streams keep an event (30 days unless set) */
  eventRetentionMs?: number;
}

export interface MessagingAuth {
  user?: string;
  password?: string;
  /** an nkey user seed (`SU...`) */
  nkeySeed?: string;
  /** verify the server against this CA; present a client certificate */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export class Nats implements OnApplicationShutdown {
  private js?: JetStreamClient;

  private constructor(
    readonly connection: NatsConnection,
    readonly options: MessagingOptions,
  ) {}

  static async connect(options: MessagingOptions): Promise<Nats> {
    const { user, password, nkeySeed, tls } = options.auth ?? {};
    const connection = await connect({
      servers: options.servers,
      name: `meridian-${options.region}-${options.service}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // replies come back under the service's own prefix, the only inbox it may subscribe to
      inboxPrefix: serviceInboxPrefix(options.region, options.service),
      // The client would otherwise build an Error (a stack trace) at every request, to name
      // the caller if it times out: a timeout becomes UNAVAILABLE naming the RPC anyway.
      noAsyncTraces: true,
      ...(user !== undefined ? { user, pass: password } : {}),
      ...(nkeySeed !== undefined ? { authenticator: nkeySeedAuthenticator(nkeySeed) } : {}),
      ...(tls !== undefined ? { tls } : {}),
    });
    const nats = new Nats(connection, options);
    void nats.watchStatus();
    return nats;
  }

  get region(): string {
    return this.options.region;
  }

  /** where this service's inboxes are (its NATS permissions allow no others) */
  get inboxPrefix(): string {
    return serviceInboxPrefix(this.options.region, this.options.service);
  }

  get service(): string {
    return this.options.service;
  }

  /** The settings every service gives the region's event streams (event-stream.ts). */
  get eventStreamOptions(): EventStreamOptions {
    const maxAgeMs = this.options.eventRetentionMs;
    return maxAgeMs === undefined ? {} : { maxAgeMs };
  }

  get logger(): Logger {
    return this.options.logger;
  }

  jetStream(): JetStreamClient {
    this.js ??= jetstream(this.connection);
    return this.js;
  }

  async jetStreamManager(): Promise<JetStreamManager> {
    return jetstreamManager(this.connection);
  }

  /** Lets what is in flight finish and closes the connection. */
  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.connection.drain();
  }

  /** Last on shutdown: the RPC server has answered what it took, the database is closed. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        this.options.logger.warn({ status: status.type }, 'nats connection status changed');
      }
    }
  }
}
