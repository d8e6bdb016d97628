/**
 * `webhook.*` RPCs: the management API's calls from the gateway, and replication's `apply`.
 * Deliveries live in the webhook's own region, so `ping`, `events` and `redeliver` for a
 * webhook of another region are answered by that region's service (over the NATS link):
 * any region's gateway shows the same log.
 */
import { randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { RegistryError, type RpcRequest, type RpcResponse, webhookRpc } from '@meridian/contracts';
import { RpcClient, type RpcContext, Caller } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { NotificationsService, regionToken } from '../events/notifications.service';
import { WebhooksService } from './webhooks.service';

type Rpc = typeof webhookRpc;

@Controller()
export class WebhooksHandler {
  constructor(
    @Inject(regionToken) private readonly region: string,
    private readonly rpc: RpcClient,
    private readonly webhooks: WebhooksService,
    private readonly deliveries: DeliveriesRepository,
    private readonly notifications: NotificationsService,
  ) {}

  @MessagePattern(webhookRpc.put.pattern)
  put(
    @Payload() request: RpcRequest<Rpc['put']>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Rpc['put']>> {
    return this.webhooks.put(request.name, request.settings, request.defaultRegion, context);
  }

  @MessagePattern(webhookRpc.get.pattern)
  get(@Payload() request: RpcRequest<Rpc['get']>): Promise<RpcResponse<Rpc['get']>> {
    return this.webhooks.get(request.name);
  }

  @MessagePattern(webhookRpc.list.pattern)
  async list(): Promise<RpcResponse<Rpc['list']>> {
    return { webhooks: await this.webhooks.list() };
  }

  @MessagePattern(webhookRpc.update.pattern)
  update(
    @Payload() request: RpcRequest<Rpc['update']>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Rpc['update']>> {
    return this.webhooks.update(request.name, request.settings, context);
  }

  @MessagePattern(webhookRpc.delete.pattern)
  async delete(
    @Payload() request: RpcRequest<Rpc['delete']>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Rpc['delete']>> {
    await this.webhooks.delete(request.name, context);
    return {};
  }

  @MessagePattern(webhookRpc.ping.pattern)
  async ping(@Payload() request: RpcRequest<Rpc['ping']>): Promise<RpcResponse<Rpc['ping']>> {
    const webhook = await this.webhooks.require(request.name);
    if (this.elsewhere(webhook.region, request.forwarded))
      return this.rpc.request(
        webhookRpc.ping,
        { ...request, forwarded: true },
        { region: webhook.region },
      );
    return this.notifications.ping(webhook);
  }

  @MessagePattern(webhookRpc.events.pattern)
  async events(@Payload() request: RpcRequest<Rpc['events']>): Promise<RpcResponse<Rpc['events']>> {
    const webhook = await this.webhooks.require(request.name);
    if (this.elsewhere(webhook.region, request.forwarded))
      return this.rpc.request(
        webhookRpc.events,
        { ...request, forwarded: true },
        { region: webhook.region },
      );
    const deliveries = await this.deliveries.log(request.name, request.n, request.last);
    const next = deliveries.length === request.n ? deliveries.at(-1)?.id : undefined;
    return { deliveries, ...(next ? { next } : {}) };
  }

  @MessagePattern(webhookRpc.redeliver.pattern)
  async redeliver(
    @Payload() request: RpcRequest<Rpc['redeliver']>,
  ): Promise<RpcResponse<Rpc['redeliver']>> {
    const webhook = await this.webhooks.require(request.name);
    if (this.elsewhere(webhook.region, request.forwarded))
      return this.rpc.request(
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

  @MessagePattern(webhookRpc.apply.pattern)
  async apply(@Payload() request: RpcRequest<Rpc['apply']>): Promise<RpcResponse<Rpc['apply']>> {
    return { outcome: await this.webhooks.apply(request.event) };
  }

  /** Whether the webhook's deliveries are another region's and this request may go there. */
  private elsewhere(region: string, forwarded: boolean | undefined): boolean {
    return region !== this.region && forwarded !== true;
  }
}
