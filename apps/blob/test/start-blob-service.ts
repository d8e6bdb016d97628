/**
 * The blob service for one integration test file: its real AppModule on a fresh database,
 * its own nats-server and a temporary filesystem store (or the store it is given), plus what a test needs around it:
 * an RPC client to call the RPCs (as the gateway does), the store's driver to
 * stream bytes (the gateway's part of an upload), and the region's event stream.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { eventStreamName } from '@meridian/contracts';
import { Nats, RpcClient, startRpcService } from '@meridian/messaging';
import { type StorageDriver, createStorageDriver } from '@meridian/storage';
import { NestPinoLogger, createLogger } from '@meridian/telemetry';
import { createTestDatabase, expectEventually, startNatsServer } from '@meridian/testing';
import postgres from 'postgres';
import { AppModule } from '../src/app.module';
import type { BlobConfig } from '../src/config';

export interface StoredEvent {
  subject: string;
  msgId: string | undefined;
  payload: Record<string, unknown>;
}

export interface BlobServiceUnderTest {
  readonly region: string;
  readonly config: BlobConfig;
  /** calls the service's RPCs */
  readonly client: RpcClient;
  /** the service's store, as the gateway sees it */
  readonly store: StorageDriver;
  /** the filesystem store's directory (unused when the service was given another store) */
  readonly storeDir: string;
  /** the service's database, to look behind the RPCs */
  readonly sql: postgres.Sql;
  /** every line the service logged */
  readonly logLines: Record<string, unknown>[];
  /** the region's events, once the outbox has drained: each message of the stream, in order */
  events(): Promise<StoredEvent[]>;
  stop(): Promise<void>;
}

export async function startBlobService(
  overrides: Partial<
    Pick<
      BlobConfig,
      'uploadIdleTimeoutSeconds' | 'storageQuotaBytes' | 'scrubBytesPerSecond' | 'storage' | 'gc'
    >
  > = {},
): Promise<BlobServiceUnderTest> {
  const region = 'us-east';
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const nats = await startNatsServer({ serverName: 'blob-test' });
    cleanups.push(() => nats.stop());
    const database = await createTestDatabase('blob');
    cleanups.push(() => database.drop());
    const storeDir = await mkdtemp(join(tmpdir(), 'meridian-blob-store-'));
    cleanups.push(() => rm(storeDir, { recursive: true, force: true }));

    const config: BlobConfig = {
      region,
      natsUrls: [nats.url],
      databaseUrl: database.url,
      storage: overrides.storage ?? { driver: 'filesystem', rootDirectory: storeDir },
      uploadIdleTimeoutSeconds: overrides.uploadIdleTimeoutSeconds ?? 86_400,
      scrubBytesPerSecond: overrides.scrubBytesPerSecond ?? 50 * 1024 * 1024,
      ...(overrides.storageQuotaBytes === undefined
        ? {}
        : { storageQuotaBytes: overrides.storageQuotaBytes }),
      gc: overrides.gc ?? { graceHours: 24, intervalMinutes: 0, blobsPerSecond: 100_000 },
      logLevel: 'debug',
    };
    const { logger, logLines } = capturingLogger(region);
    const app = await startRpcService(AppModule.forRoot(config, logger), {
      logger: new NestPinoLogger(logger),
      abortOnError: false,
    });
    cleanups.push(() => app.close());
    await app.get(Nats).connection.flush();

    const connection = await Nats.connect({
      servers: nats.url,
      region,
      service: 'blob-test-client',
      logger,
    });
    cleanups.push(() => connection.close());
    const sql = postgres(database.url, { max: 2, onnotice: () => undefined });
    cleanups.push(() => sql.end({ timeout: 5 }));
    const store = await createStorageDriver(config.storage);

    return {
      region,
      config,
      client: new RpcClient(connection),
      store,
      storeDir,
      sql,
      logLines,
      events: () => readEvents(sql, connection, region),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function readEvents(sql: postgres.Sql, client: Nats, region: string): Promise<StoredEvent[]> {
  await expectEventually(async () => {
    const [{ pending }] = await sql<
      { pending: number }[]
    >`select count(*)::int as pending from blob.outbox`;
    expect(pending).toBe(0);
  });
  const stream = eventStreamName(region);
  const total = (await (await client.jetStreamManager()).streams.info(stream)).state.messages;
  if (total === 0) return [];
  const consumer = await client.jetStream().consumers.get(stream);
  const events: StoredEvent[] = [];
  const messages = await consumer.fetch({ max_messages: total, expires: 5_000 });
  for await (const message of messages) {
    events.push({
      subject: message.subject,
      msgId: message.headers?.get('Nats-Msg-Id'),
      payload: message.json<Record<string, unknown>>(),
    });
    if (events.length === total) break;
  }
  await consumer.delete().catch(() => undefined);
  return events;
}

function capturingLogger(region: string) {
  const logLines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return {
    logger: createLogger({ service: 'blob', region, level: 'debug', destination }),
    logLines,
  };
}
