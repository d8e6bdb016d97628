/**
 * A manifest GET through the real gateway announces `image.pulled.v1` on the region's pulls
 * subject, where the pulls stream (which the webhook service keeps while a `pull` webhook is
 * configured, as one is here) stores it; a HEAD and a
 * GET that finds nothing announce nothing; and nothing of it reaches the events stream. With
 * the real webhook service running beside the region, the GET reaches a `pull` webhook's
 * receiver (a real HTTP server).
 */
import {
  eventStreamName,
  imagePulled,
  pullStreamName,
  pullSubject,
  webhookRpc,
} from '@meridian/contracts';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Nats, RpcClient } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import {
  type ManagedProcess,
  type TestDatabase,
  createTestDatabase,
  expectEventually,
  spawnProcess,
} from '@meridian/testing';
import { expectStatus, pushImage } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('pull announcements', () => {
  let registry: RegistryUnderTest;
  let messaging: Nats;
  let webhookDatabase: TestDatabase;
  let webhookService: ManagedProcess;
  let receiver: Server;
  const received: Array<{ headers: IncomingHttpHeaders; json: Record<string, unknown> }> = [];
  const region = 'us-east';

  beforeAll(async () => {
    registry = await startRegistry();
    messaging = await Nats.connect({
      servers: registry.config.natsUrls,
      region,
      service: 'webhook',
      logger: createLogger({ service: 'webhook-test', region, level: 'silent' }),
    });
    receiver = await startReceiver(received);
    webhookDatabase = await createTestDatabase('webhook');
    webhookService = await startWebhookService(registry.config.natsUrls, webhookDatabase.url);
    await putPullHook();
  }, 120_000);

  afterAll(async () => {
    await webhookService?.stop();
    receiver?.close();
    await messaging?.close();
    await webhookDatabase?.drop();
    await registry?.stop();
  });

  async function storedPulls(): Promise<unknown[]> {
    const jsm = await messaging.jetStreamManager();
    const { state } = await jsm.streams.info(pullStreamName(region));
    const pulls: unknown[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq += 1) {
      const message = await jsm.streams.getMessage(pullStreamName(region), { seq });
      if (message) pulls.push(message.json());
    }
    return pulls;
  }

  it('announces a GET by tag and by digest, not a HEAD nor a miss', async () => {
    const { manifest } = await pushImage(registry, 'pulls/app', 'v1');
    const manifests = '/v2/pulls/app/manifests';

    await expectStatus(await registry.request(`${manifests}/v1`, { method: 'HEAD' }), 200);
    await expectStatus(await registry.request(`${manifests}/v1`), 200);
    await expectStatus(await registry.request(`${manifests}/${manifest.digest}`), 200);
    await expectStatus(await registry.request(`${manifests}/v404`), 404);

    const pulls = await expectEventually(async () => {
      const stored = await storedPulls();
      expect(stored).toHaveLength(2);
      return stored.map((pull) => imagePulled.schema.parse(pull));
    });
    const common = {
      repository: 'pulls/app',
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.body.length,
      region,
      originRegion: region,
      actor: { name: expect.any(String) },
      request: expect.objectContaining({ method: 'GET' }),
    };
    expect(pulls[0]).toMatchObject({ ...common, tag: 'v1' });
    expect(pulls[1]).toMatchObject(common);
    expect(pulls[1]!.tag).toBeUndefined();

    const jsm = await messaging.jetStreamManager();
    const events = await jsm.streams.info(eventStreamName(region));
    expect(events.config.subjects).not.toContain(pullSubject(region, imagePulled.name));
    const pullsInEvents = await jsm.streams
      .getMessage(eventStreamName(region), {
        last_by_subj: pullSubject(region, imagePulled.name),
      })
      .catch(() => null);
    expect(pullsInEvents).toBeNull();
  });
  /** A `pull` webhook for `pulls/deployed` only: the webhook service keeps the pulls stream for it. */
  async function putPullHook(): Promise<void> {
    const { port } = receiver.address() as AddressInfo;
    await new RpcClient(messaging).request(
      webhookRpc.put,
      {
        name: 'pullhook',
        defaultRegion: region,
        settings: {
          serviceUri: `http://127.0.0.1:${port}/hook`,
          actions: ['pull'],
          scope: 'pulls/deployed:*',
        },
      },
      { context: { actor: { name: 'admin' } } },
    );
  }

  it("reaches a pull webhook's receiver through the webhook service", async () => {
    const { manifest } = await pushImage(registry, 'pulls/deployed', 'prod');

    await expectStatus(await registry.request('/v2/pulls/deployed/manifests/prod'), 200);

    const [delivery] = await expectEventually(() => {
      expect(received).toHaveLength(1);
      return received;
    });
    expect(delivery!.json).toMatchObject({
      action: 'pull',
      region,
      target: { repository: 'pulls/deployed', tag: 'prod', digest: manifest.digest },
      request: { method: 'GET' },
    });
    expect(delivery!.headers['x-meridian-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  });
});

/** A receiver that records every request and answers 200. */
async function startReceiver(
  received: Array<{ headers: IncomingHttpHeaders; json: Record<string, unknown> }>,
): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ headers: request.headers, json });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

/** The webhook service as the launcher runs it, on the region's NATS, with its own database. */
async function startWebhookService(
  natsUrls: string[],
  databaseUrl: string,
): Promise<ManagedProcess> {
  const service = spawnProcess({
    name: 'webhook',
    command: process.execPath,
    args: ['-r', '@swc-node/register', join('apps', 'webhook', 'src', 'main.ts')],
    cwd: resolve(__dirname, '..', '..', '..'),
    env: {
      ...process.env,
      MERIDIAN_REGION: 'us-east',
      MERIDIAN_NATS_URL: natsUrls.join(','),
      DATABASE_URL: databaseUrl,
      MERIDIAN_LOG_LEVEL: 'info',
      MERIDIAN_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    },
    retainLines: 200,
  });
  await service.waitForLine((line) => line.text.includes('"service ready"'), {
    timeoutMs: 60_000,
    description: 'service ready',
  });
  return service;
}
