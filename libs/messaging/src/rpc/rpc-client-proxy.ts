/**
 * Nest's NATS client on the process's one connection (Nats), sending each request as a NATS
 * request, so that a subject nobody serves is known at once (no responders) instead of
 * after the timeout, and with the timeout of each call.
 */
import { RegistryError } from '@meridian/contracts';
import { ClientNats, NatsRecord, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { Nats } from '../nats';
import { isErrorBody } from './rpc-errors';

/** A request's payload with its headers and how long it waits for the answer. */
export class RpcRecord extends NatsRecord {
  constructor(
    data: unknown,
    headers: MsgHdrs,
    readonly timeoutMs: number,
  ) {
    super(data, headers);
  }
}

export class NatsRpcClientProxy extends ClientNats {
  constructor(private readonly nats: Nats) {
    // the connection is Nats's, made with the service's credentials and inbox prefix
    super({});
  }

  override async createClient(): Promise<NatsConnection> {
    return this.nats.connection;
  }

  /** Nats watches and logs the connection's status. */
  override async handleStatusUpdates(): Promise<void> {}

  /** The connection is the process's: Nats drains it last. */
  override async close(): Promise<void> {
    this.handleClose();
  }

  protected override publish(
    partialPacket: ReadPacket,
    callback: (packet: WritePacket) => void,
  ): () => void {
    const packet = this.assignPacketId(partialPacket);
    const record = packet.data as RpcRecord;
    const { data, headers } = this.serializer.serialize(packet) as {
      data: string;
      headers: MsgHdrs;
    };
    this.nats.connection
      .request(this.normalizePattern(packet.pattern), data, {
        timeout: record.timeoutMs,
        headers,
      })
      .then(
        async (reply) => {
          const { err, response } = (await this.deserializer.deserialize(reply)) as WritePacket;
          callback({ err, response, isDisposed: true });
        },
        (err: unknown) => callback({ err }),
      );
    // a NATS request cannot be taken back: an answer nobody waits for is dropped
    return () => undefined;
  }

  /** The reply's ErrorBody is the handler's RegistryError, raised again here. */
  protected override serializeError(err: unknown): unknown {
    return isErrorBody(err) ? RegistryError.fromBody(err) : err;
  }
}
