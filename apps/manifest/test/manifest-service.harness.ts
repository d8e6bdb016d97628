/**
 * The manifest service as it runs in a region, for integration tests: the real AppModule on
 * a fresh Postgres database and its own nats-server with JetStream, a fake blob service
 * answering `blob.statMany` over NATS, a client calling the RPCs as the gateway does, and a
 * JetStream consumer collecting every event the region's stream receives.
 */
import {
  type RpcRequest,
  blobRpc,
  eventNameOfSubject,
  eventStreamName,
  manifestRpc,
} from '@meridian/contracts';
import { type Sql, createSql } from '@meridian/database';
import {
  type FakeRpcService,
  Nats,
  RpcClient,
  fakeAnswer,
  startFakeRpcService,
  startRpcService,
} from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import {
  type TestDatabase,
  type TestNatsServer,
  createTestDatabase,
  startNatsServer,
} from '@meridian/testing';
import type { INestMicroservice } from '@nestjs/common';
import { AppModule } from '../src/app.module';
import { RetentionSweeper } from '../src/retention/retention.sweeper';
import { SoftDeleteSweeper } from '../src/soft-delete/soft-delete.sweeper';
import { type Blob, type BuiltManifest, blobsOf } from './build-manifest';

export const region = 'us-east';

export interface StreamEvent {
  /** `manifest.pushed.v1` … */
  name: string;
  msgId: string | undefined;
  payload: Record<string, unknown>;
}

/** The blob service as a map of what each repository sees, answering over NATS. */
export class FakeBlobService {
  private readonly byRepository = new Map<string, Map<string, number>>();
  service?: FakeRpcService;

  readonly statMany = fakeAnswer(blobRpc.statMany, async ({ repository, digests }) => {
    const known = this.byRepository.get(repository) ?? new Map<string, number>();
    return {
      found: digests.flatMap((digest) => {
        const size = known.get(digest);
        return size === undefined ? [] : [{ digest, size }];
      }),
    };
  });

  add(repository: string, ...blobs: Blob[]): void {
    const known = this.byRepository.get(repository) ?? new Map<string, number>();
    for (const blob of blobs) known.set(blob.digest, blob.size);
    this.byRepository.set(repository, known);
  }
}

export class ManifestServiceHarness {
  private constructor(
    private readonly db: TestDatabase,
    private readonly nats: TestNatsServer,
    private readonly app: INestMicroservice,
    private readonly gateway: Nats,
    readonly client: RpcClient,
    readonly blobs: FakeBlobService,
    /** every event on the region's stream, in stream order */
    readonly events: StreamEvent[],
    private readonly stopCollecting: () => Promise<void>,
    /** for looking at what the service stored */
    readonly sql: Sql,
  ) {}

  static async start(label: string): Promise<ManifestServiceHarness> {
    const logger = createLogger({ service: 'manifest', region, level: 'silent' });
    const db = await createTestDatabase(label);
    const nats = await startNatsServer();
    const app = await startRpcService(
      AppModule.forRoot({
        config: {
          region,
          natsUrls: [nats.url],
          databaseUrl: db.url,
          logLevel: 'silent',
          // no replication service here: a push missing a blob asks it, briefly, in vain
          peerBlobFetchTimeoutMs: 300,
          // retention tests run their rounds themselves (sweep())
          retentionIntervalSeconds: 3600,
        },
        logger,
      }),
      { logger: false, abortOnError: false },
    );
    await app.get(Nats).connection.flush();
    const blobs = new FakeBlobService();
    blobs.service = await startFakeRpcService(
      { servers: nats.url, region, service: 'blob', logger },
      [blobs.statMany],
    );
    const gateway = await Nats.connect({ servers: nats.url, region, service: 'gateway', logger });
    const { events, stop } = await collectEvents(gateway);
    return new ManifestServiceHarness(
      db,
      nats,
      app,
      gateway,
      new RpcClient(gateway),
      blobs,
      events,
      stop,
      createSql(db.url),
    );
  }

  async stop(): Promise<void> {
    await this.stopCollecting();
    await this.app.close();
    await this.gateway.close();
    await this.blobs.service?.close();
    await this.sql.end();
    await this.nats.stop();
    await this.db.drop();
  }

  /** Pushes a manifest as the gateway would, making its blobs visible first. */
  async push(repository: string, manifest: BuiltManifest, reference = manifest.digest) {
    this.blobs.add(repository, ...blobsOf(manifest));
    return this.put({ repository, reference, body: manifest.base64 });
  }

  put(request: RpcRequest<typeof manifestRpc.put>) {
    return this.client.request(manifestRpc.put, request, {
      context: { request: { id: `req-${request.reference}` }, actor: { name: 'ci' } },
    });
  }

  get(repository: string, reference: string, includeBody = true) {
    return this.client.request(manifestRpc.get, { repository, reference, includeBody });
  }

  delete(repository: string, reference: string) {
    return this.client.request(manifestRpc.delete, { repository, reference });
  }

  /** Runs one round of the retention sweep now, as the timer would. */
  sweepRetention() {
    return this.app.get(RetentionSweeper).sweep();
  }

  /** Runs one round of the soft delete expiry sweep now, as the timer would. */
  sweepExpiredRestorable() {
    return this.app.get(SoftDeleteSweeper).sweep();
  }

  /** Hands over another region's event, as the replication service does. */
  apply(request: RpcRequest<typeof manifestRpc.apply>) {
    return this.client.request(manifestRpc.apply, request);
  }

  /** The repository's tags and the digests they point to, from the database. */
  async tagsOf(repository: string): Promise<Record<string, string>> {
    const rows = await this.sql<{ name: string; digest: string }[]>`
      select name, digest from manifest.tags where repository = ${repository} order by name`;
    return Object.fromEntries(rows.map((row) => [row.name, row.digest]));
  }

  /** The digests of the repository's manifests, sorted. */
  async manifestsOf(repository: string): Promise<string[]> {
    const rows = await this.sql<{ digest: string }[]>`
      select digest from manifest.manifests where repository = ${repository} order by digest`;
    return rows.map((row) => row.digest);
  }

  eventsNamed(name: string): StreamEvent[] {
    return this.events.filter((event) => event.name === name);
  }

  async streamMessageCount(): Promise<number> {
    const jsm = await this.gateway.jetStreamManager();
    return (await jsm.streams.info(eventStreamName(region))).state.messages;
  }
}

/** An ordered consumer from the start of the region's stream, collecting in the background. */
async function collectEvents(
  messaging: Nats,
): Promise<{ events: StreamEvent[]; stop(): Promise<void> }> {
  // the service created the stream when it started
  const consumer = await messaging.jetStream().consumers.get(eventStreamName(region));
  const messages = await consumer.consume();
  const events: StreamEvent[] = [];
  const collecting = (async () => {
    for await (const message of messages) {
      events.push({
        name: eventNameOfSubject(message.subject) ?? message.subject,
        msgId: message.headers?.get('Nats-Msg-Id'),
        payload: message.json<Record<string, unknown>>(),
      });
    }
  })();
  return {
    events,
    async stop() {
      await messages.close();
      await collecting;
    },
  };
}
