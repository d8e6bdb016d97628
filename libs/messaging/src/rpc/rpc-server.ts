/**
 * The transport of every Meridian service: Nest's NATS server strategy on the process's
 * one connection (Nats). A `@MessagePattern('manifest.get.v1')` handler answers
 * `meridian.<region>.rpc.manifest.get.v1` of the region the service runs in, in the
 * service's queue group, so replicas share the requests.
 *
 * `close()` (the first step of the microservice's shutdown) stops taking requests — the
 * other replicas of the queue group get them — and waits for the answers in progress, while
 * the database is still open; the connection itself is drained last, by Nats.
 */
import { rpcDefinitionOf, rpcSubjectOfPattern } from '@meridian/contracts';
import { Injectable } from '@nestjs/common';
import {
  type NatsContext,
  type NatsStatus,
  ServerNats,
  type WritePacket,
} from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Nats } from '../nats';

@Injectable()
export class NatsRpcServer extends ServerNats {
  private readonly served: Subscription[] = [];
  /** each request taken, until its reply is sent */
  private readonly answering = new Map<Msg, { replied: Promise<void>; settle: () => void }>();

  constructor(private readonly nats: Nats) {
    super({ queue: nats.service });
  }

  override async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      this.bindEvents(this.nats.connection);
      this._status$.next('connected' as NatsStatus);
      callback();
    } catch (err) {
      callback(err);
    }
  }

  override bindEvents(connection: NatsConnection): void {
    for (const [pattern, handler] of this.messageHandlers) {
      // events come from JetStream, through their durable consumers, not from here
      if (handler.isEventHandler) continue;
      // a pattern no contract defines could be neither validated nor called
      if (!rpcDefinitionOf(pattern)) throw new Error(`no rpc is defined for pattern ${pattern}`);
      const subscription = connection.subscribe(rpcSubjectOfPattern(this.nats.region, pattern), {
        queue: this.nats.service,
        callback: this.getMessageHandler(pattern).bind(this) as never,
      });
      this.served.push(subscription);
    }
  }

  override async handleMessage(channel: string, msg: Msg): Promise<void> {
    let settle!: () => void;
    const replied = new Promise<void>((resolve) => (settle = resolve));
    this.answering.set(msg, {
      replied,
      settle: () => {
        this.answering.delete(msg);
        settle();
      },
    });
    try {
      await super.handleMessage(channel, msg);
    } catch (err) {
      this.answering.get(msg)?.settle();
      throw err;
    }
  }

  override getPublisher(msg: Msg, id: string, ctx: NatsContext): (response: WritePacket) => void {
    const publish = super.getPublisher(msg, id, ctx);
    return (response) => {
      publish(response);
      if (response.isDisposed) this.answering.get(msg)?.settle();
    };
  }

  /** Stops taking requests and waits for the answers in progress; the connection stays open. */
  override async close(): Promise<void> {
    if (this.nats.connection.isClosed()) return;
    await Promise.all(this.served.map((subscription) => subscription.drain()));
    this.served.length = 0;
    await Promise.all([...this.answering.values()].map(({ replied }) => replied));
  }

  /**
   * A handler's pattern is a plain string (`blob.upload-put.v1`), never JSON: Nest's own
   * version tries `JSON.parse` on it first, and pays for the error it throws, at every request.
   */
  override getRouteFromPattern(pattern: string): string {
    return this.normalizePattern(pattern);
  }

  override unwrap<T>(): T {
    return this.nats.connection as T;
  }
}
