/**
 * The webhook service as the launcher runs it, for integration tests: `main.ts` as a child
 * process (so it can be killed with SIGKILL) on a fresh Postgres database and its own
 * nats-server with JetStream; a fake manifest service answering `manifest.quarantine-state`;
 * and a client that calls the webhook RPCs as the gateway does, publishes the region's
 * events as the other services would, and announces pulls as the gateway does (a core
 * publish on the pulls subject, no ack awaited).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  type EventDefinition,
  type RpcDefinition,
  type RpcRequest,
  type RpcResponse,
  type ImagePulled,
  formatHlc,
  imagePulled,
  manifestRpc,
  pullSubject,
  replicationCompleted,
  replicationFailed,
} from '@meridian/contracts';
import {
  EventPublisher,
  type FakeRpcService,
  Nats,
  RpcClient,
  ensureEventStream,
  fakeAnswer,
  startFakeRpcService,
} from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import {
  type ManagedProcess,
  type TestDatabase,
  type TestNatsServer,
  createTestDatabase,
  spawnProcess,
  startNatsServer,
} from '@meridian/testing';
import type { z } from 'zod';
import type { ImageQuarantine } from '../src/events/quarantine-lookup';

export const region = 'us-east';
const repoRoot = resolve(__dirname, '..', '..', '..');

/** Quick retries, a short timeout: what the tests wait for stays short. */
export const testServiceEnv = {
  MERIDIAN_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  MERIDIAN_WEBHOOK_TIMEOUT_MS: '1500',
  MERIDIAN_WEBHOOK_RETRY_BASE_MS: '200',
  MERIDIAN_WEBHOOK_RETRY_MAX_MS: '1000',
  MERIDIAN_WEBHOOK_MAX_ATTEMPTS: '6',
  MERIDIAN_WEBHOOK_CONCURRENCY: '2',
  MERIDIAN_WEBHOOK_SECRET_KEY: 'the test key sealing webhook secrets',
};

export function randomDigest(): string {
  return `sha256:${randomBytes(32).toString('hex')}`;
}

export class WebhookServiceHarness {
  /** what `manifest.quarantine-state` answers, by digest ('none' when absent) */
  readonly quarantine = new Map<string, ImageQuarantine>();
  private service?: ManagedProcess;

  private constructor(
    readonly nats: TestNatsServer,
    readonly database: TestDatabase,
    readonly client: Nats,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.rpcClient = new RpcClient(client);
    this.publisher = new EventPublisher(client);
  }

  private manifest?: FakeRpcService;
  private readonly rpcClient: RpcClient;
  private readonly publisher: EventPublisher;

  static async start(env: NodeJS.ProcessEnv = {}): Promise<WebhookServiceHarness> {
    const [nats, database] = await Promise.all([
      startNatsServer({ serverName: 'webhook-test' }),
      createTestDatabase('webhook'),
    ]);
    const logger = createLogger({ service: 'webhook-test', region, level: 'error' });
    const client = await Nats.connect({
      servers: nats.url,
      region,
      service: 'gateway',
      logger,
    });
    const harness = new WebhookServiceHarness(nats, database, client, {
      ...testServiceEnv,
      ...env,
    });
    harness.manifest = await startFakeRpcService(
      { servers: nats.url, region, service: 'manifest', logger },
      [
        fakeAnswer(manifestRpc.quarantineState, async ({ digest }) => {
          const state = harness.quarantine.get(digest) ?? 'none';
          if (state === 'deleted') throw new Error('not expected in these tests');
          return { state };
        }),
      ],
    );
    await ensureEventStream(await client.jetStreamManager(), region);
    await harness.startService();
    return harness;
  }

  /** Starts the service; `env` overrides the harness's for this start (an empty value unsets). */
  async startService(env: NodeJS.ProcessEnv = {}): Promise<void> {
    const { DATABASE_URL: _inherited, ...inherited } = process.env;
    const service = spawnProcess({
      name: 'webhook',
      command: process.execPath,
      args: ['-r', '@swc-node/register', join('apps', 'webhook', 'src', 'main.ts')],
      cwd: repoRoot,
      env: {
        ...inherited,
        MERIDIAN_REGION: region,
        MERIDIAN_NATS_URL: this.nats.url,
        DATABASE_URL: this.database.url,
        MERIDIAN_LOG_LEVEL: 'info',
        ...this.env,
        ...env,
      },
      retainLines: 200,
    });
    this.service = service;
    await service.waitForLine((line) => line.text.includes('"service ready"'), {
      timeoutMs: 60_000,
      description: 'service ready',
    });
  }

  /** A crash: SIGKILL, nothing finishes. */
  async killService(): Promise<void> {
    await this.service?.stop({ signal: 'SIGKILL' });
  }

  rpc<D extends RpcDefinition>(def: D, request: RpcRequest<D>): Promise<RpcResponse<D>> {
    return this.rpcClient.request(def, request, { context: { actor: { name: 'admin' } } });
  }

  async publish<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    const event = def.schema.parse(payload) as { eventId: string };
    await this.publisher.publishEvent(def.subject(region), event, event.eventId);
  }

  /** `replication.completed.v1` of this region for an image (the origin's own, lag 0). */
  async imageReady(
    repository: string,
    tag?: string,
    digest = randomDigest(),
  ): Promise<{ eventId: string; digest: string }> {
    return this.replicationOutcome(replicationCompleted, repository, tag, digest, region, {
      lagMs: 0,
    });
  }

  /** `replication.completed.v1` of this region for an image pushed to `sourceRegion`. */
  async replicatedFrom(
    sourceRegion: string,
    repository: string,
    tag?: string,
  ): Promise<{ eventId: string; digest: string }> {
    return this.replicationOutcome(
      replicationCompleted,
      repository,
      tag,
      randomDigest(),
      sourceRegion,
      {
        lagMs: 1234,
      },
    );
  }

  /** `replication.failed.v1` of this region for an image pushed to `sourceRegion`. */
  async replicationFailedFrom(
    sourceRegion: string,
    repository: string,
    tag?: string,
  ): Promise<{ eventId: string; digest: string }> {
    return this.replicationOutcome(
      replicationFailed,
      repository,
      tag,
      randomDigest(),
      sourceRegion,
      {
        error: 'the blob could not be copied from the source region',
        attempts: 5,
      },
    );
  }

  private async replicationOutcome<S extends z.ZodType>(
    def: EventDefinition<S>,
    repository: string,
    tag: string | undefined,
    digest: string,
    sourceRegion: string,
    facts: Record<string, unknown>,
  ): Promise<{ eventId: string; digest: string }> {
    const eventId = randomUUID();
    const now = new Date().toISOString();
    await this.publish(def, {
      eventId,
      originRegion: region,
      hlc: formatHlc({ wallMs: Date.now(), counter: 0, region }),
      occurredAt: now,
      request: {
        id: randomUUID(),
        host: '127.0.0.1:5000',
        method: 'PUT',
        useragent: 'skopeo/1.13',
      },
      repository,
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 528,
      ...(tag ? { tag } : {}),
      region,
      sourceRegion,
      sourceEventId: randomUUID(),
      pushedAt: now,
      ...facts,
    } as z.infer<S>);
    return { eventId, digest };
  }

  /** `image.pulled.v1` of a manifest served in `pulledIn`, published as the gateway does. */
  pulled(
    repository: string,
    tag?: string,
    pulledIn = region,
    digest = randomDigest(),
  ): { eventId: string; digest: string } {
    const eventId = randomUUID();
    const pull: ImagePulled = imagePulled.schema.parse({
      eventId,
      originRegion: pulledIn,
      hlc: formatHlc({ wallMs: Date.now(), counter: 0, region: pulledIn }),
      occurredAt: new Date().toISOString(),
      actor: { name: 'deployer' },
      request: { id: randomUUID(), host: '127.0.0.1:5000', method: 'GET', useragent: 'podman/5' },
      repository,
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 528,
      ...(tag ? { tag } : {}),
      region: pulledIn,
    });
    this.publisher.publishWithoutAck(pullSubject(region, imagePulled.name), pull, eventId);
    return { eventId, digest };
  }

  async dispose(): Promise<void> {
    await this.service?.stop();
    await Promise.all([this.client.close(), this.manifest?.close()]);
    await Promise.all([this.nats.stop(), this.database.drop()]);
  }
}
