/**
 * The webhook service against real Postgres, a real nats-server and real HTTP receivers:
 * configuration, delivery, retries across a receiver outage and a crash of the service, a dead
 * receiver beside a live one, scope and status filters, ping, redeliver, quarantine holds,
 * and refused targets.
 */
import {
  type DeliveryView,
  type RpcResponse,
  formatHlc,
  quarantineChanged,
  webhookRpc,
} from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { derivedEventId } from '../src/events/notifications.service';
import { verifySignature } from '../src/outbound/sign-payload';
import { HttpReceiver } from './http-receiver';
import { randomDigest } from './webhook-service.harness';
import { WebhookServiceHarness, region } from './webhook-service.harness';

jest.setTimeout(120_000);

describe('webhook service', () => {
  let harness: WebhookServiceHarness;
  const receivers: HttpReceiver[] = [];
  let counter = 0;

  beforeAll(async () => {
    harness = await WebhookServiceHarness.start();
  });
  afterAll(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await harness?.dispose();
  });

  async function receiver(): Promise<HttpReceiver> {
    const started = await HttpReceiver.start();
    receivers.push(started);
    return started;
  }

  /** A fresh repository per test, so tests do not see each other's events. */
  function repository(): string {
    counter += 1;
    return `team/app${counter}`;
  }

  async function createWebhook(
    serviceUri: string,
    settings: Partial<Parameters<typeof harness.rpc<typeof webhookRpc.put>>[1]['settings']> = {},
  ): Promise<{ name: string; secret: string }> {
    const name = `hook${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const put = await harness.rpc(webhookRpc.put, {
      name,
      defaultRegion: region,
      settings: { serviceUri, actions: ['push'], ...settings },
    });
    return { name, secret: settings.secret ?? put.secret! };
  }

  async function log(name: string): Promise<DeliveryView[]> {
    return (await harness.rpc(webhookRpc.events, { name, n: 20 })).deliveries;
  }

  it('delivers a push as ACR JSON, signed, with the idempotency key and attempt number, and logs it', async () => {
    const target = await receiver();
    const { name, secret } = await createWebhook(target.url, {
      customHeaders: { 'X-Team': 'platform' },
    });
    const repo = repository();
    const { eventId, digest } = await harness.imageReady(repo, 'v1');

    const [request] = await target.received(eventId);
    expect(request!.json).toEqual({
      id: eventId,
      timestamp: expect.any(String),
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        size: 528,
        length: 528,
        digest,
        repository: repo,
        tag: 'v1',
      },
      request: {
        id: expect.any(String),
        host: '127.0.0.1:5000',
        method: 'PUT',
        useragent: 'skopeo/1.13',
      },
      region,
    });
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-team': 'platform',
      'x-meridian-delivery-attempt': '1',
    });
    const timestamp = request!.headers['x-meridian-timestamp'] as string;
    const signature = request!.headers['x-meridian-signature'] as string;
    expect(verifySignature(secret, timestamp, request!.body, signature)).toBe(true);

    const [delivery] = await expectEventually(async () => {
      const deliveries = await log(name);
      expect(deliveries[0]?.state).toBe('succeeded');
      return deliveries;
    });
    expect(delivery).toMatchObject({ eventId, action: 'push', attempts: 1 });
    expect(delivery!.log[0]).toMatchObject({
      attempt: 1,
      request: { method: 'POST', uri: target.url, body: request!.body },
      response: { status: 200, body: 'answered 200' },
    });
  });

  it('never returns the secret after creation, and replaces the webhook without changing it', async () => {
    const target = await receiver();
    const { name, secret } = await createWebhook(target.url);
    const shown = await harness.rpc(webhookRpc.get, { name });
    expect(JSON.stringify(shown)).not.toContain(secret);
    const replaced = await harness.rpc(webhookRpc.put, {
      name,
      defaultRegion: region,
      settings: { serviceUri: target.url, actions: ['push', 'delete'] },
    });
    expect(replaced).toMatchObject({ created: false });
    expect(replaced.secret).toBeUndefined();

    const { eventId } = await harness.imageReady(repository(), 'latest');
    const [request] = await target.received(eventId);
    const headers = request!.headers;
    expect(
      verifySignature(
        secret,
        headers['x-meridian-timestamp'] as string,
        request!.body,
        headers['x-meridian-signature'] as string,
      ),
    ).toBe(true);
  });

  it('sends CloudEvents when asked', async () => {
    const target = await receiver();
    await createWebhook(target.url, { payloadFormat: 'cloudevents' });
    const repo = repository();
    const { eventId } = await harness.imageReady(repo, 'v2');
    const [request] = await target.received(eventId);
    expect(request!.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(request!.json).toMatchObject({
      specversion: '1.0',
      id: eventId,
      type: 'meridian.image.pushed',
      subject: `${repo}:v2`,
      data: { region, target: { repository: repo, tag: 'v2' } },
    });
  });

  it('delivers the push of an image named by a sha512 digest like any other', async () => {
    const target = await receiver();
    await createWebhook(target.url, { payloadFormat: 'cloudevents' });
    const repo = repository();
    const digest = `sha512:${randomBytes(64).toString('hex')}`;

    const { eventId } = await harness.imageReady(repo, undefined, digest);

    const [request] = await target.received(eventId);
    expect(request!.json).toMatchObject({
      id: eventId,
      subject: `${repo}@${digest}`,
      data: { target: { repository: repo, digest } },
    });
  });

  it('sends only to enabled webhooks with the action and a matching scope', async () => {
    const target = await receiver();
    const repo = repository();
    const matching = await createWebhook(target.url, { scope: `${repo}:*` });
    const otherScope = await createWebhook(target.url, { scope: `${repo}:v9` });
    const disabled = await createWebhook(target.url, { scope: `${repo}:*`, status: 'disabled' });
    const otherAction = await createWebhook(target.url, {
      scope: `${repo}:*`,
      actions: ['delete'],
    });

    const first = await harness.imageReady(repo, 'v1');
    const second = await harness.imageReady(repo, 'v2');
    await target.received(second.eventId);
    // every delivery of the first event was recorded before the second event was taken
    expect(
      target.requests.filter((r) => r.headers['idempotency-key'] === first.eventId),
    ).toHaveLength(1);
    expect(await log(matching.name)).toHaveLength(2);
    expect(await log(otherScope.name)).toHaveLength(0);
    expect(await log(disabled.name)).toHaveLength(0);
    expect(await log(otherAction.name)).toHaveLength(0);
  });

  it('tells replicated and replication.failed of images pushed elsewhere, beside their push', async () => {
    const target = await receiver();
    const repo = repository();
    const { name } = await createWebhook(target.url, {
      actions: ['push', 'replicated', 'replication.failed'],
    });
    const pushOnly = await createWebhook(target.url, { scope: `${repo}:*` });

    const arrived = await harness.replicatedFrom('eu-west', repo, 'v1');
    const failed = await harness.replicationFailedFrom('eu-west', repo, 'v2');
    const own = await harness.imageReady(repo, 'v3');

    const push = await target.received(arrived.eventId);
    expect(push[0]!.json).toMatchObject({ action: 'push', target: { tag: 'v1' } });
    const replicatedId = derivedEventId(arrived.eventId, 'replicated');
    const [replicated] = await target.received(replicatedId);
    expect(replicated!.json).toMatchObject({
      id: replicatedId,
      action: 'replicated',
      target: { repository: repo, digest: arrived.digest, tag: 'v1' },
      region,
      replication: { sourceRegion: 'eu-west', lagMs: 1234 },
    });
    const failedId = derivedEventId(failed.eventId, 'replication.failed');
    const [failure] = await target.received(failedId);
    expect(failure!.json).toMatchObject({
      action: 'replication.failed',
      target: { repository: repo, digest: failed.digest, tag: 'v2' },
      replication: { sourceRegion: 'eu-west', attempts: 5, error: expect.any(String) },
    });
    await target.received(own.eventId);

    // the origin's own readiness is a push, not a replication
    const deliveries = await expectEventually(async () => {
      const all = await log(name);
      expect(all).toHaveLength(4);
      return all;
    });
    expect(deliveries.map((delivery) => delivery.action).sort()).toEqual([
      'push',
      'push',
      'replicated',
      'replication.failed',
    ]);
    expect(await log(pushOnly.name)).toHaveLength(2);
    expect(derivedEventId(arrived.eventId, 'replicated')).toBe(replicatedId);
    expect(replicatedId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('retries a receiver that is down until it is up, and logs the failed attempts', async () => {
    const target = await receiver();
    let failures = 2;
    target.answer = () => (failures-- > 0 ? 503 : 200);
    const { name } = await createWebhook(target.url, { scope: 'flaky/*:*' });
    const { eventId } = await harness.imageReady('flaky/app', 'v1');

    const requests = await target.received(eventId, 3);
    expect(requests.map((r) => r.headers['x-meridian-delivery-attempt'])).toEqual(['1', '2', '3']);
    const [delivery] = await expectEventually(async () => {
      const deliveries = await log(name);
      expect(deliveries[0]?.state).toBe('succeeded');
      return deliveries;
    });
    expect(delivery!.log.map((attempt) => attempt.response?.status)).toEqual([200, 503, 503]);
  });

  it('retries a refused connection, and dead-letters after the last attempt', async () => {
    const { name } = await createWebhook('http://127.0.0.1:9/nothing-listens', {
      scope: 'gone/*:*',
    });
    const { eventId } = await harness.imageReady('gone/app', 'v1');
    const [delivery] = await expectEventually(
      async () => {
        const deliveries = await log(name);
        expect(deliveries[0]?.state).toBe('dead');
        return deliveries;
      },
      { timeoutMs: 30_000 },
    );
    expect(delivery).toMatchObject({ eventId, attempts: 6 });
    expect(delivery!.log).toHaveLength(6);
    expect(delivery!.log[0]!.error).toMatch(/ECONNREFUSED/);
  });

  it('does not let a receiver that never answers delay another webhook', async () => {
    const hanging = await receiver();
    hanging.answer = () => 'hang';
    const live = await receiver();
    await createWebhook(hanging.url, { scope: 'busy/*:*' });
    await createWebhook(live.url, { scope: 'busy/*:*' });

    const events = [];
    for (let i = 0; i < 6; i += 1) events.push(await harness.imageReady('busy/app', `v${i}`));
    const started = Date.now();
    for (const { eventId } of events) await live.received(eventId);
    // six requests to the hanging receiver would take 3 × 1.5 s in its two slots
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(hanging.requests.length).toBeLessThanOrEqual(2);
  });

  it('pings a webhook, and redelivers a delivery as a new one with the same event id', async () => {
    const target = await receiver();
    const { name } = await createWebhook(target.url, { status: 'disabled' });
    const ping: RpcResponse<typeof webhookRpc.ping> = await harness.rpc(webhookRpc.ping, { name });
    const [pinged] = await target.received(ping.eventId);
    expect(pinged!.json).toMatchObject({ id: ping.eventId, action: 'ping', region });

    const again = await harness.rpc(webhookRpc.redeliver, { name, id: ping.id });
    expect(again.eventId).toBe(ping.eventId);
    const both = await target.received(ping.eventId, 2);
    expect(both[1]!.headers['x-meridian-delivery-id']).toBe(again.id);
    expect(both[1]!.body).toBe(both[0]!.body);
    const deliveries = await log(name);
    expect(deliveries[0]).toMatchObject({ id: again.id, redeliveryOf: ping.id });
  });

  it('sends a delivery whose notification it missed once it listens again, not at its next look', async () => {
    const target = await receiver();
    const { name } = await createWebhook(target.url, { status: 'disabled' });
    const ping = await harness.rpc(webhookRpc.ping, { name });
    await target.received(ping.eventId);
    const sql = postgres(harness.database.url, { max: 1, onnotice: () => undefined });
    try {
      // a redelivery written without its notification, as one notified while the service's
      // LISTEN connection was down, then that connection lost
      await sql`
        insert into webhook.deliveries (id, webhook, event_id, action, content_type, body, redelivery_of)
        select ${randomUUID()}, webhook, event_id, action, content_type, body, id
        from webhook.deliveries where id = ${ping.id}`;
      await sql`
        select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query like 'listen%'`;
      // the runner's own look at the queue is up to 20 s away
      await target.received(ping.eventId, 2, 5_000);
    } finally {
      await sql.end();
    }
  });

  it('holds a push while the image is quarantined and sends it when it passes', async () => {
    const target = await receiver();
    await createWebhook(target.url, { scope: 'held/*:*', actions: ['push', 'quarantine'] });
    const digest = randomDigest();
    harness.quarantine.set(digest, 'quarantined');
    const held = await harness.imageReady('held/app', 'v2', digest);
    // events are recorded in stream order: once a later one arrived, the held one was seen
    const later = await harness.imageReady('held/other', 'v1');
    await target.received(later.eventId);
    expect(target.requests.some((r) => r.headers['idempotency-key'] === held.eventId)).toBe(false);

    harness.quarantine.set(digest, 'passed');
    const change = randomUUID();
    await harness.publish(quarantineChanged, {
      eventId: change,
      originRegion: region,
      hlc: formatHlc({ wallMs: Date.now(), counter: 0, region }),
      occurredAt: new Date().toISOString(),
      repository: 'held/app',
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 528,
      tag: 'v2',
      state: 'passed',
    });
    const [push] = await target.received(held.eventId);
    expect(push!.json).toMatchObject({ action: 'push', target: { digest, tag: 'v2' } });
    const [quarantine] = await target.received(change);
    expect(quarantine!.json).toMatchObject({
      action: 'quarantine',
      quarantine: { state: 'passed' },
    });
  });

  it('refuses a webhook whose target is a private or metadata address', async () => {
    for (const serviceUri of [
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.1/hook',
      'http://[::1]:8080/',
    ]) {
      await expect(createWebhook(serviceUri)).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
    }
  });

  it('keeps a delivery across a kill -9 of the service between attempts', async () => {
    const target = await receiver();
    target.answer = () => 503;
    const { name } = await createWebhook(target.url, { scope: 'crash/*:*' });
    const { eventId } = await harness.imageReady('crash/app', 'v1');
    await target.received(eventId, 1);
    // between attempts: the first one's outcome is committed, the next is scheduled
    await expectEventually(async () => expect((await log(name))[0]?.attempts).toBe(1));
    await harness.killService();
    target.answer = () => 200;
    await harness.startService();

    await expectEventually(
      async () => {
        const [delivery] = await log(name);
        expect(delivery).toMatchObject({ eventId, state: 'succeeded' });
        expect(delivery!.log.at(-1)!.response?.status).toBe(503);
      },
      { timeoutMs: 30_000 },
    );
  });

  it("goes on delivering after the region's nats-server restarts", async () => {
    const target = await receiver();
    await createWebhook(target.url, { scope: 'restart/*:*' });
    await harness.nats.kill();
    await harness.nats.restart();
    const { eventId } = await expectEventually(() => harness.imageReady('restart/app', 'v1'), {
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    await target.received(eventId, 1, 30_000);
  });
});
