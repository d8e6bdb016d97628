/**
 * Typed NATS request/reply and JetStream publishing. Every payload is validated against
 * its contract on both ends; a reply is `{ok,value}` or `{ok:false,error}` and errors are
 * rethrown on the caller's side as RegistryError; a timeout or a service with no
 * responders becomes UNAVAILABLE (in this region, only once no replica has subscribed again
 * within 5 s or the request's timeout: a restarting service is waited for).
 *
 * Every request, answer and published event is a span; the trace context travels in the
 * message headers (`traceparent`), so the caller's trace continues in the service that
 * answers and in the consumers of an event.
 */
import {
  RegistryError,
  type RpcDefinition,
  type RpcRequest,
  type RpcResponse,
  eventStreamName,
  eventSubjectWildcard,
  isRegistryError,
  pullStreamName,
  serviceInboxPrefix,
  pullSubjectWildcard,
} from '@meridian/contracts';
import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import {
  type Msg,
  type NatsConnection,
  NoRespondersError,
  RequestError,
  type Subscription,
  TimeoutError,
  connect,
  headers,
  nkeyAuthenticator,
} from '@nats-io/transport-node';
import {
  SpanKind,
  extractTraceContext,
  inSpan,
  injectTraceContext,
  metrics,
} from '@meridian/telemetry';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { type RpcContext, contextHeader } from './rpc-context';
import { type RpcReply, decodeJson, encodeJson } from './rpc-envelope';

export interface MessagingOptions {
  servers: string | string[];
  region: string;
  /** this process's service name: the queue group its handlers join */
  service: string;
  logger: Logger;
  requestTimeoutMs?: number;
  /** this service's NATS credentials and TLS (libs/config nats-connection-env.ts) */
  auth?: MessagingAuth;
}

export interface MessagingAuth {
  user?: string;
  password?: string;
  /** an nkey user seed (`SU...`) */
  nkeySeed?: string;
  /** verify the server against this CA; present a client certificate */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

export type RpcHandlerFn<D extends RpcDefinition> = (
  request: RpcRequest<D>,
  context: RpcContext,
) => Promise<RpcResponse<D>>;

export interface EventStreamOptions {
  /** how long a region keeps its events: long enough for a peer region to be down and catch up */
  maxAgeMs?: number;
  duplicateWindowMs?: number;
}

export interface PullStreamOptions {
  /** how long a pull waits for the webhook service: short, pulls are many */
  maxAgeMs?: number;
  /** the stream's bound in bytes; the oldest pulls go first */
  maxBytes?: number;
}

const hourMs = 60 * 60 * 1000;
const dayMs = 24 * hourMs;
/** how long a request waits for a service of this region with no replica subscribed */
const restartWaitMs = 5_000;

export class Messaging {
  private readonly subscriptions: Subscription[] = [];
  private readonly answering = new Set<Promise<void>>();
  private js?: JetStreamClient;

  private constructor(
    readonly connection: NatsConnection,
    private readonly options: MessagingOptions,
  ) {}

  static async connect(options: MessagingOptions): Promise<Messaging> {
    const { user, password, nkeySeed, tls } = options.auth ?? {};
    const connection = await connect({
      servers: options.servers,
      name: `meridian-${options.region}-${options.service}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // replies come back under the service's own prefix, the only inbox it may subscribe to
      inboxPrefix: serviceInboxPrefix(options.region, options.service),
      ...(user !== undefined ? { user, pass: password } : {}),
      ...(nkeySeed !== undefined
        ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(nkeySeed)) }
        : {}),
      ...(tls !== undefined ? { tls } : {}),
    });
    const messaging = new Messaging(connection, options);
    void messaging.watchStatus();
    return messaging;
  }

  get region(): string {
    return this.options.region;
  }

  get service(): string {
    return this.options.service;
  }

  /** Calls an RPC in this region (or another, through the NATS supercluster). */
  async request<D extends RpcDefinition>(
    def: D,
    payload: RpcRequest<D>,
    options: { region?: string; timeoutMs?: number; context?: RpcContext } = {},
  ): Promise<RpcResponse<D>> {
    const body = def.request.parse(payload);
    const subject = def.subject(options.region ?? this.region);
    return inSpan(
      `${def.service}.${def.verb} request`,
      { kind: SpanKind.CLIENT, attributes: rpcAttributes(subject) },
      async () => {
        const hdrs = headers();
        if (options.context) hdrs.set(contextHeader, JSON.stringify(options.context));
        injectTraceContext(hdrs);
        const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 10_000;
        const deadline = Date.now() + timeoutMs;
        const restartDeadline =
          (options.region ?? this.region) === this.region
            ? Math.min(deadline, Date.now() + restartWaitMs)
            : 0;
        let reply: Msg;
        for (let attempt = 0; ; attempt += 1) {
          try {
            reply = await this.connection.request(subject, encodeJson(body), {
              timeout: Math.max(1, deadline - Date.now()),
              headers: hdrs,
            });
            break;
          } catch (err) {
            // a service of this region restarting (a rolling update, a crash) has no
            // replica subscribed for a moment: ask again until the request's time is up
            const pause = Math.min(50 * 2 ** attempt, 500);
            if (isNoResponders(err) && Date.now() + pause < restartDeadline) {
              await sleep(pause);
              continue;
            }
            metrics().natsErrors.add(1, {
              operation: 'request',
              rpc: `${def.service}.${def.verb}`,
            });
            throw toUnavailable(def, err);
          }
        }
        const envelope = decodeJson(reply.data) as RpcReply<unknown>;
        if (!envelope.ok) throw RegistryError.fromBody(envelope.error);
        return def.response.parse(envelope.value) as RpcResponse<D>;
      },
    );
  }

  /** Answers an RPC of this region; replicas share the work through the service's queue group. */
  serve<D extends RpcDefinition>(def: D, handler: RpcHandlerFn<D>): void {
    const logger = this.options.logger;
    const subscription = this.connection.subscribe(def.subject(this.region), {
      queue: this.service,
      callback: (err, msg) => {
        if (err) {
          logger.error({ err, subject: def.subject(this.region) }, 'rpc subscription failed');
          return;
        }
        const answering = answer(def, handler, msg, logger);
        this.answering.add(answering);
        void answering.finally(() => this.answering.delete(answering));
      },
    });
    this.subscriptions.push(subscription);
  }

  jetStream(): JetStreamClient {
    this.js ??= jetstream(this.connection);
    return this.js;
  }

  async jetStreamManager(): Promise<JetStreamManager> {
    return jetstreamManager(this.connection);
  }

  /** Creates the region's event stream, or brings its settings up to date. Idempotent. */
  async ensureEventStream(options: EventStreamOptions = {}): Promise<void> {
    const jsm = await this.jetStreamManager();
    const name = eventStreamName(this.region);
    const config = {
      name,
      subjects: [eventSubjectWildcard(this.region)],
      max_age: (options.maxAgeMs ?? 30 * dayMs) * 1_000_000,
      duplicate_window: (options.duplicateWindowMs ?? 10 * 60 * 1000) * 1_000_000,
    };
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
      try {
        await jsm.streams.add(config);
      } catch (addErr) {
        // another service of the region created it in the meantime
        if (!/already in use/i.test(String(addErr))) throw addErr;
      }
    }
  }

  /**
   * Creates the region's pulls stream (`MERIDIAN_<REGION>_PULLS`), or brings its settings up
   * to date: kept a day at most, bounded in bytes, the oldest discarded first. No region
   * sources it. Idempotent.
   */
  async ensurePullStream(options: PullStreamOptions = {}): Promise<void> {
    const jsm = await this.jetStreamManager();
    const name = pullStreamName(this.region);
    const config = {
      name,
      subjects: [pullSubjectWildcard(this.region)],
      max_age: (options.maxAgeMs ?? dayMs) * 1_000_000,
      max_bytes: options.maxBytes ?? 256 * 1024 * 1024,
      discard: DiscardPolicy.Old,
      duplicate_window: 2 * 60 * 1000 * 1_000_000,
    };
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
      try {
        await jsm.streams.add(config);
      } catch (addErr) {
        if (!/already in use/i.test(String(addErr))) throw addErr;
      }
    }
  }

  /** Whether the region's pulls stream exists (the webhook service keeps it only while wanted). */
  async pullStreamExists(): Promise<boolean> {
    const jsm = await this.jetStreamManager();
    try {
      await jsm.streams.info(pullStreamName(this.region));
      return true;
    } catch (err) {
      if (isStreamNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Publishes with core NATS and returns at once: no wait for a stream to store it, so a lost
   * message is never known. For signals worth less than the latency of an acknowledgement
   * (a pull); the stream that captures the subject drops a repeated `msgId`. Throws only when
   * the connection is closed or the payload cannot be sent.
   */
  publishWithoutAck(subject: string, payload: unknown, msgId: string): void {
    const hdrs = headers();
    hdrs.set('Nats-Msg-Id', msgId);
    this.connection.publish(subject, encodeJson(payload), { headers: hdrs });
  }

  /**
   * Publishes one event to JetStream and waits for the stream to store it. The event id is
   * the message id, so a republished event is dropped as a duplicate.
   */
  async publishEvent(subject: string, payload: unknown, eventId: string): Promise<void> {
    await inSpan(
      `${subject} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
      },
      async () => {
        const hdrs = headers();
        injectTraceContext(hdrs);
        try {
          await this.jetStream().publish(subject, encodeJson(payload), {
            msgID: eventId,
            headers: hdrs,
          });
        } catch (err) {
          metrics().natsErrors.add(1, { operation: 'publish' });
          throw err;
        }
      },
    );
  }

  /**
   * Stops taking requests (other replicas of the queue group get them) and waits for the
   * answers in progress. Called first on shutdown, while the database is still open.
   */
  async stopServing(): Promise<void> {
    if (this.connection.isClosed()) return;
    await Promise.all(this.subscriptions.map((subscription) => subscription.drain()));
    this.subscriptions.length = 0;
    await Promise.allSettled([...this.answering]);
  }

  /** Stops taking requests, lets in-flight ones finish, closes the connection. */
  async close(): Promise<void> {
    if (this.connection.isClosed()) return;
    await this.stopServing();
    await this.connection.drain();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        this.options.logger.warn({ status: status.type }, 'nats connection status changed');
      }
    }
  }
}

async function answer<D extends RpcDefinition>(
  def: D,
  handler: RpcHandlerFn<D>,
  msg: Msg,
  logger: Logger,
): Promise<void> {
  const reply = await inSpan(
    `${def.service}.${def.verb} answer`,
    {
      kind: SpanKind.SERVER,
      attributes: rpcAttributes(msg.subject),
      parent: extractTraceContext(msg.headers),
    },
    async (span): Promise<RpcReply<unknown>> => {
      try {
        const context = readContext(msg);
        const request = def.request.parse(decodeJson(msg.data)) as RpcRequest<D>;
        const value = await handler(request, context);
        return { ok: true, value: def.response.parse(value) };
      } catch (err) {
        const error = toErrorBody(def, err, logger);
        span.setAttribute('meridian.error.code', error.code);
        return { ok: false, error };
      }
    },
  );
  msg.respond(encodeJson(reply));
}

function rpcAttributes(subject: string) {
  return { 'messaging.system': 'nats', 'messaging.destination.name': subject };
}

function readContext(msg: Msg): RpcContext {
  const raw = msg.headers?.get(contextHeader);
  return raw ? (JSON.parse(raw) as RpcContext) : {};
}

function toErrorBody(def: RpcDefinition, err: unknown, logger: Logger) {
  if (isRegistryError(err)) return err.toBody();
  if (err instanceof ZodError) {
    logger.error(
      { rpc: `${def.service}.${def.verb}`, issues: err.issues },
      'rpc message failed validation',
    );
    return new RegistryError('UNKNOWN', `invalid ${def.service}.${def.verb} message`).toBody();
  }
  logger.error({ rpc: `${def.service}.${def.verb}`, err }, 'rpc handler failed');
  return new RegistryError('UNKNOWN', 'internal error').toBody();
}

function toUnavailable(def: RpcDefinition, err: unknown): RegistryError {
  if (
    err instanceof TimeoutError ||
    err instanceof NoRespondersError ||
    err instanceof RequestError ||
    (err instanceof Error && /timeout|no responders|closed|disconnect/i.test(err.message))
  ) {
    return new RegistryError('UNAVAILABLE', `the ${def.service} service did not answer`);
  }
  throw err;
}

function isNoResponders(err: unknown): boolean {
  return err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders());
}

function isStreamNotFound(err: unknown): boolean {
  return err instanceof Error && /stream not found/i.test(err.message);
}
