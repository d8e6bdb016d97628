/**
 * The `pull` action and the delivery log's redaction, against the webhook service as it runs
 * (real Postgres, nats-server, HTTP receiver): a pull announced on the region's pulls subject
 * reaches this region's pull webhooks in scope and no other; the service keeps the pulls in
 * their own short-lived stream, and only while some enabled webhook has the `pull` action
 * (otherwise pulls are stored nowhere and cost this service nothing); a custom credential
 * header is sent but not logged.
 */
import { type DeliveryView, pullStreamName, webhookRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { randomUUID } from 'node:crypto';
import { redactedValue } from '../src/deliveries/redact-headers';
import { pullsConsumerName } from '../src/events/region-pulls.consumer';
import { HttpReceiver } from './http-receiver';
import { WebhookServiceHarness, region } from './webhook-service.harness';

jest.setTimeout(120_000);

describe('pull webhooks', () => {
  let harness: WebhookServiceHarness;
  let target: HttpReceiver;

  beforeAll(async () => {
    [harness, target] = await Promise.all([WebhookServiceHarness.start(), HttpReceiver.start()]);
  });
  afterAll(async () => {
    await target?.close();
    await harness?.dispose();
  });

  async function createWebhook(
    settings: Partial<Parameters<typeof harness.rpc<typeof webhookRpc.put>>[1]['settings']>,
  ): Promise<string> {
    const name = `hook${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await harness.rpc(webhookRpc.put, {
      name,
      defaultRegion: region,
      settings: { serviceUri: target.url, actions: ['pull'], ...settings },
    });
    return name;
  }

  async function log(name: string): Promise<DeliveryView[]> {
    return (await harness.rpc(webhookRpc.events, { name, n: 20 })).deliveries;
  }

  async function pullStreamExists(): Promise<boolean> {
    const jsm = await harness.client.jetStreamManager();
    return jsm.streams.info(pullStreamName(region)).then(
      () => true,
      (error: unknown) => {
        if (/stream not found/i.test(String(error))) return false;
        throw error;
      },
    );
  }

  it('keeps no pulls stream, so no consumer and no work per pull, while no webhook has `pull`', async () => {
    const pushes = await createWebhook({ actions: ['push'] });
    const disabled = await createWebhook({ status: 'disabled' });

    const { eventId } = harness.pulled('ignored/app', 'v1');

    expect(await pullStreamExists()).toBe(false);
    const jsm = await harness.client.jetStreamManager();
    await expect(jsm.consumers.info(pullStreamName(region), pullsConsumerName)).rejects.toThrow(
      /stream not found/i,
    );
    // the pull was stored nowhere: enabling a pull webhook now does not bring it back
    await harness.rpc(webhookRpc.update, { name: disabled, settings: { status: 'enabled' } });
    expect(await pullStreamExists()).toBe(true);
    const { state } = await jsm.streams.info(pullStreamName(region));
    expect(state.messages).toBe(0);
    await harness.rpc(webhookRpc.delete, { name: disabled });
    await harness.rpc(webhookRpc.delete, { name: pushes });
    expect(await pullStreamExists()).toBe(false);
    expect(target.requests.some((r) => r.headers['idempotency-key'] === eventId)).toBe(false);
  });

  it('keeps pulls in their own stream: a day at most, bounded, oldest discarded', async () => {
    await createWebhook({ scope: 'nothing/pulled:*' });
    const jsm = await harness.client.jetStreamManager();
    const { config } = await jsm.streams.info(pullStreamName(region));

    expect(config.subjects).toEqual([`meridian.${region}.pulls.>`]);
    expect(config.max_age).toBe(24 * 60 * 60 * 1e9);
    expect(config.max_bytes).toBeGreaterThan(0);
    expect(config.discard).toBe('old');
    expect(config.sources ?? []).toEqual([]);
  });

  it('sends a pull to the pull webhooks in scope, as ACR JSON with the tag and the puller', async () => {
    const pulls = await createWebhook({ scope: 'pulled/app:*' });
    const pushes = await createWebhook({ scope: 'pulled/app:*', actions: ['push'] });
    const elsewhere = await createWebhook({ scope: 'other/app:*' });

    const { eventId, digest } = harness.pulled('pulled/app', 'v3');

    const [request] = await target.received(eventId);
    expect(request!.json).toEqual({
      id: eventId,
      timestamp: expect.any(String),
      action: 'pull',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 528,
        length: 528,
        digest,
        repository: 'pulled/app',
        tag: 'v3',
      },
      request: {
        id: expect.any(String),
        host: '127.0.0.1:5000',
        method: 'GET',
        useragent: 'podman/5',
      },
      region,
    });
    await expectEventually(async () =>
      expect((await log(pulls))[0]).toMatchObject({ eventId, action: 'pull', state: 'succeeded' }),
    );
    expect(await log(pushes)).toHaveLength(0);
    expect(await log(elsewhere)).toHaveLength(0);
  });

  it("does not fire this region's pull webhooks for a pull in another region", async () => {
    const name = await createWebhook({ scope: 'roaming/app:*' });

    const abroad = harness.pulled('roaming/app', 'v1', 'eu-west');
    const here = harness.pulled('roaming/app', 'v2');

    await target.received(here.eventId);
    // pulls are taken in stream order: the one from abroad was handled before
    const deliveries = await log(name);
    expect(deliveries.map((delivery) => delivery.eventId)).toEqual([here.eventId]);
    expect(target.requests.some((r) => r.headers['idempotency-key'] === abroad.eventId)).toBe(
      false,
    );
  });

  it('sends custom credential headers but logs them redacted', async () => {
    const name = await createWebhook({
      scope: 'secret/app:*',
      customHeaders: { Authorization: 'Bearer receiver-token', 'X-Team': 'platform' },
    });

    const { eventId } = harness.pulled('secret/app', 'v1');

    const [request] = await target.received(eventId);
    expect(request!.headers).toMatchObject({
      authorization: 'Bearer receiver-token',
      'x-team': 'platform',
    });
    const [delivery] = await expectEventually(async () => {
      const deliveries = await log(name);
      expect(deliveries[0]?.state).toBe('succeeded');
      return deliveries;
    });
    expect(delivery!.log[0]!.request.headers).toMatchObject({
      Authorization: redactedValue,
      'X-Team': redactedValue,
    });
    expect(JSON.stringify(delivery)).not.toContain('receiver-token');
  });

  it('drops the pulls stream when the last pull webhook goes, and keeps pulls again once one is back', async () => {
    const { webhooks } = await harness.rpc(webhookRpc.list, {});
    for (const { name } of webhooks) await harness.rpc(webhookRpc.delete, { name });
    expect(await pullStreamExists()).toBe(false);

    const name = await createWebhook({ scope: 'back/app:*', status: 'disabled' });
    expect(await pullStreamExists()).toBe(false);
    await harness.rpc(webhookRpc.update, { name, settings: { status: 'enabled' } });
    const { eventId } = harness.pulled('back/app', 'v1');

    await target.received(eventId);
    await expectEventually(async () =>
      expect((await log(name))[0]).toMatchObject({ eventId, state: 'succeeded' }),
    );
  });
});
