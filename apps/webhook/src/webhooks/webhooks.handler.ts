/**
 * `webhook.*` RPCs: the management API's calls from the gateway, and replication's `apply`.
 * Deliveries live in the webhook's own region, so `ping`, `events` and `redeliver` for a
 * webhook of another region are answered by that region's service (over the NATS link):
 * any region's gateway shows the same log.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RegistryError, type RpcRequest, type RpcResponse, webhookRpc } from '@meridian/contracts';
import { Messaging, type RpcContext, RpcHandler } from '@meridian/messaging';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { NotificationsService, regionToken } from '../events/notifications.service';
import { WebhooksService } from './webhooks.service';

type Rpc = typeof webhookRpc;

@Injectable()
export class WebhooksHandler {
  constructor(
    @Inject(regionToken) private readonly region: string,
    private readonly messaging: Messaging,
    private readonly webhooks: WebhooksService,
    private readonly deliveries: DeliveriesRepository,
    private readonly notifications: NotificationsService,
  ) {}

  @RpcHandler(webhookRpc.put)
  put(request: RpcRequest<Rpc['put']>, context: RpcContext): Promise<RpcResponse<Rpc['put']>> {
    return this.webhooks.put(request.name, request.settings, request.defaultRegion, context);
  }

  @RpcHandler(webhookRpc.get)
  get(request: RpcRequest<Rpc['get']>): Promise<RpcResponse<Rpc['get']>> {
    return this.webhooks.get(request.name);
  }

  @RpcHandler(webhookRpc.list)
  async list(): Promise<RpcResponse<Rpc['list']>> {
    return { webhooks: await this.webhooks.list() };
  }

  @RpcHandler(webhookRpc.update)
  update(
    request: RpcRequest<Rpc['update']>,
    context: RpcContext,
  ): Promise<RpcResponse<Rpc['update']>> {
    return this.webhooks.update(request.name, request.settings, context);
  }

  @RpcHandler(webhookRpc.delete)
  async delete(
    request: RpcRequest<Rpc['delete']>,
    context: RpcContext,
  ): Promise<RpcResponse<Rpc['delete']>> {
    await this.webhooks.delete(request.name, context);
    return {};
  }

  @RpcHandler(webhookRpc.ping)
  async ping(request: RpcRequest<Rpc['ping']>): Promise<RpcResponse<Rpc['ping']>> {
    const webhook = await this.webhooks.require(request.name);
    if (this.elsewhere(webhook.region, request.forwarded))
      return this.messaging.request(
        webhookRpc.ping,
        { ...request, forwarded: true },
        { region: webhook.region },
      );
    return this.notifications.ping(webhook);
  }

  @RpcHandler(webhookRpc.events)
  async events(request: RpcRequest<Rpc['events']>): Promise<RpcResponse<Rpc['events']>> {
    const webhook = await this.webhooks.require(request.name);
    if (this.elsewhere(webhook.region, request.forwarded))
      return this.messaging.request(
        webhookRpc.events,
        { ...request, forwarded: true },
        { region: webhook.region },
      );
    const deliveries = await this.deliveries.log(request.name, request.n, request.last);
    const next = deliveries.length === request.n ? deliveries.at(-1)?.id : undefined;
    return { deliveries, ...(next ? { next } : {}) };
  }

  @RpcHandler(webhookRpc.redeliver)
  async redeliver(request: RpcRequest<Rpc['redeliver']>): Promise<RpcResponse<Rpc['redeliver']>> {
    const webhook = await this.webhooks.require(request.name);
    if (this.elsewhere(webhook.region, request.forwarded))
      return this.messaging.request(
        webhookRpc.redeliver,
        { ...request, forwarded: true },
        { region: webhook.region },
      );
    const original = await this.deliveries.find(request.name, request.id);
    if (!original)
      throw new RegistryError(
        'RESOURCE_UNKNOWN',
        `webhook ${request.name} has no delivery ${request.id}`,
      );
    const id = randomUUID();
    await this.deliveries.record([{ ...original, id, redeliveryOf: original.id }]);
    return { id, eventId: original.eventId };
  }

  @RpcHandler(webhookRpc.apply)
  async apply(request: RpcRequest<Rpc['apply']>): Promise<RpcResponse<Rpc['apply']>> {
    return { outcome: await this.webhooks.apply(request.event) };
  }

  /** Whether the webhook's deliveries are another region's and this request may go there. */
  private elsewhere(region: string, forwarded: boolean | undefined): boolean {
    return region !== this.region && forwarded !== true;
  }
}
