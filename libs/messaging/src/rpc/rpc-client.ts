/**
 * How a Meridian process calls an RPC: `rpc.request(manifestRpc.get, payload, options)`,
 * typed by the contract and validated on both ends, over Nest's NATS client
 * (NatsRpcClientProxy). The request is a CLIENT span `<service>.<verb> request` whose trace
 * context travels in the `traceparent` header, with the caller's RpcContext in
 * `Meridian-Context`. A handler's RegistryError is raised again here; a timeout or a
 * service with no responders becomes UNAVAILABLE — in this region only once no replica has
 * subscribed again within 5 s or the request's timeout: a restarting service is waited for.
 */
import {
  type RpcDefinition,
  type RpcRequest,
  type RpcResponse,
  isRegistryError,
} from '@meridian/contracts';
import { SpanKind, inSpan, injectTraceContext, metrics } from '@meridian/telemetry';
import { Injectable } from '@nestjs/common';
import { headers } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import { Nats } from '../nats';
import { NatsRpcClientProxy, RpcRecord } from './rpc-client-proxy';
import { type RpcContext, contextHeader } from './rpc-context';
import { isNoResponders, toUnavailable } from './rpc-errors';

export interface RpcRequestOptions {
  /** the region whose service answers (through the NATS supercluster); this one by default */
  region?: string;
  timeoutMs?: number;
  /** who asks, for the events the service writes */
  context?: RpcContext;
}

/** how long a request waits for a service of this region with no replica subscribed */
const restartWaitMs = 5_000;
const defaultTimeoutMs = 10_000;

@Injectable()
export class RpcClient {
  private readonly proxy: NatsRpcClientProxy;

  constructor(private readonly nats: Nats) {
    this.proxy = new NatsRpcClientProxy(nats);
  }

  /** the region this process runs in: where a request goes unless it names another */
  get region(): string {
    return this.nats.region;
  }

  /** Calls an RPC in this region (or another, through the NATS supercluster). */
  async request<D extends RpcDefinition>(
    def: D,
    payload: RpcRequest<D>,
    options: RpcRequestOptions = {},
  ): Promise<RpcResponse<D>> {
    const body = def.request.parse(payload);
    const region = options.region ?? this.nats.region;
    const subject = def.subject(region);
    return inSpan(
      `${def.service}.${def.verb} request`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
      },
      async () => {
        const hdrs = headers();
        if (options.context) hdrs.set(contextHeader, JSON.stringify(options.context));
        injectTraceContext(hdrs);
        const timeoutMs =
          options.timeoutMs ?? this.nats.options.requestTimeoutMs ?? defaultTimeoutMs;
        const deadline = Date.now() + timeoutMs;
        const restartDeadline =
          region === this.nats.region ? Math.min(deadline, Date.now() + restartWaitMs) : 0;
        let value: unknown;
        for (let attempt = 0; ; attempt += 1) {
          try {
            const record = new RpcRecord(body, hdrs, Math.max(1, deadline - Date.now()));
            value = await lastValueFrom(this.proxy.send(subject, record));
            break;
          } catch (err) {
            if (isRegistryError(err)) throw err;
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
            throw toUnavailable(def.service, err);
          }
        }
        return def.response.parse(value) as RpcResponse<D>;
      },
    );
  }
}
