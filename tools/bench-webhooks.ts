#!/usr/bin/env node
/**
 * `npm run bench:webhooks`: how fast the webhook service delivers, and what it adds to the
 * moment an image is ready.
 *
 * Starts a nats-server, a fresh Postgres database and the webhook service (`main.ts`, as the
 * launcher runs it), a stand-in for the manifest service's `quarantine-state` (nothing is
 * quarantined), a receiver on 127.0.0.1 that answers 200 at once, and:
 *   1. latency: publishes LATENCY_EVENTS `replication.completed.v1` events one at a time (one
 *      webhook) and times each from the stream's publish acknowledgement to the request
 *      arriving at the receiver; p50, p99, max;
 *   2. throughput: WEBHOOKS webhooks, EVENTS events published at once, every one matching
 *      every webhook; deliveries per second from the first publish to the last request.
 * Environment: BENCH_LATENCY_EVENTS (200), BENCH_WEBHOOKS (4), BENCH_EVENTS (500).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { formatHlc, manifestRpc, replicationCompleted, webhookRpc } from '@meridian/contracts';
import {
  EventPublisher,
  Nats,
  RpcClient,
  fakeAnswer,
  startFakeRpcService,
} from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import { createTestDatabase, spawnProcess, startNatsServer } from '@meridian/testing';

const root = resolve(__dirname, '..');
const region = 'us-east';
const latencyEvents = Number(process.env['BENCH_LATENCY_EVENTS'] ?? 200);
const webhooks = Number(process.env['BENCH_WEBHOOKS'] ?? 4);
const events = Number(process.env['BENCH_EVENTS'] ?? 500);
const log = (line: string) => console.log(`[bench] ${line}`);

/** Arrival time of each request, by event id; a waiter per awaited count. */
class Receiver {
  readonly arrivals = new Map<string, number[]>();
  total = 0;
  private waiter?: { count: number; resolve: () => void };

  constructor(readonly server: Server) {}

  record(eventId: string): void {
    const at = performance.now();
    this.arrivals.set(eventId, [...(this.arrivals.get(eventId) ?? []), at]);
    this.total += 1;
    if (this.waiter && this.total >= this.waiter.count) this.waiter.resolve();
  }

  until(count: number): Promise<void> {
    if (this.total >= count) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { count, resolve }));
  }
}

async function startReceiver(): Promise<{ receiver: Receiver; url: string }> {
  const holder: { receiver?: Receiver } = {};
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      holder.receiver!.record(request.headers['idempotency-key'] as string);
      response.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 0;
  holder.receiver = new Receiver(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    receiver: holder.receiver,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
  };
}

function completedEvent(repository: string) {
  const now = new Date().toISOString();
  return replicationCompleted.schema.parse({
    eventId: randomUUID(),
    originRegion: region,
    hlc: formatHlc({ wallMs: Date.now(), counter: 0, region }),
    occurredAt: now,
    repository,
    digest: `sha256:${randomBytes(32).toString('hex')}`,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 1024,
    tag: 'v1',
    region,
    sourceRegion: region,
    sourceEventId: randomUUID(),
    pushedAt: now,
    lagMs: 0,
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  log('starting nats-server, Postgres database and the webhook service');
  const [nats, database] = await Promise.all([
    startNatsServer({ serverName: 'bench-webhooks' }),
    createTestDatabase('bench_webhooks'),
  ]);
  log(`nats-server at ${nats.url}, database ${database.name}`);
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const service = spawnProcess({
    name: 'webhook',
    command: process.execPath,
    args: ['-r', '@swc-node/register', 'apps/webhook/src/main.ts'],
    cwd: root,
    env: {
      ...inherited,
      MERIDIAN_REGION: region,
      MERIDIAN_NATS_URL: nats.url,
      DATABASE_URL: database.url,
      MERIDIAN_LOG_LEVEL: 'info',
      MERIDIAN_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      MERIDIAN_WEBHOOK_CONCURRENCY: '16',
    },
    retainLines: 100,
    onLine: process.env['BENCH_VERBOSE'] ? (line) => console.log(line.text) : undefined,
  });
  const { receiver, url } = await startReceiver();
  const messaging = await Nats.connect({
    servers: nats.url,
    region,
    service: 'bench',
    logger: createLogger({ service: 'bench', region, level: 'error' }),
  });
  // the manifest service's part: no image here is quarantined (one NATS round trip per push, as in a region)
  const manifest = await startFakeRpcService(
    {
      servers: nats.url,
      region,
      service: 'manifest',
      logger: createLogger({ service: 'bench', region, level: 'error' }),
    },
    [fakeAnswer(manifestRpc.quarantineState, async () => ({ state: 'none' as const }))],
  );
  const publisher = new EventPublisher(messaging);
  const rpc = new RpcClient(messaging);
  try {
    await service.waitForLine((line) => line.text.includes('"service ready"'), {
      timeoutMs: 60_000,
    });
    const publish = async (repository: string) => {
      const event = completedEvent(repository);
      await publisher.publishEvent(replicationCompleted.subject(region), event, event.eventId);
      return { eventId: event.eventId, at: performance.now() };
    };
    const put = (name: string, scope: string) =>
      rpc.request(webhookRpc.put, {
        name,
        defaultRegion: region,
        settings: { serviceUri: url, actions: ['push'], scope },
      });

    await put('latencyhook', 'latency/*:*');
    const latencies: number[] = [];
    for (let i = 0; i < latencyEvents; i += 1) {
      const expected = receiver.total + 1;
      const sent = await publish('latency/app');
      await receiver.until(expected);
      latencies.push(receiver.arrivals.get(sent.eventId)![0]! - sent.at);
    }
    latencies.sort((a, b) => a - b);
    log(
      `replication.completed → request, ${latencyEvents} events: p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
    );

    for (let i = 0; i < webhooks; i += 1) await put(`throughputhook${i}`, 'load/*:*');
    const before = receiver.total;
    const deliveries = webhooks * events;
    const started = performance.now();
    await Promise.all(Array.from({ length: events }, () => publish('load/app')));
    await receiver.until(before + deliveries);
    const seconds = (performance.now() - started) / 1000;
    log(
      `${webhooks} webhooks × ${events} events = ${deliveries} deliveries in ${seconds.toFixed(2)} s: ` +
        `${Math.round(deliveries / seconds)} deliveries/s`,
    );
  } finally {
    await Promise.all([messaging.close(), manifest.close()]);
    await service.stop();
    receiver.server.close();
    await Promise.all([nats.stop(), database.drop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
