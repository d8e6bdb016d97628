/**
 * The consumer loop on a real nats-server: acknowledged only after the handler succeeded,
 * retried with backoff after a failure (each failed attempt reported), one repository's
 * events in order while another repository's go ahead.
 */
import { randomUUID } from 'node:crypto';
import { eventStreamName, eventSubject } from '@meridian/contracts';
import { Nats, EventPublisher, ensureEventStream } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import { type TestNatsServer, expectEventually, startNatsServer } from '@meridian/testing';
import {
  type ConsumedEvent,
  DurableEventConsumer,
  type EventHandler,
} from '../src/events/durable-event.consumer';
import { ensureConsumer } from '../src/events/event-streams';

const region = 'us-east';
const logger = createLogger({ service: 'replication', region, level: 'silent' });

describe(DurableEventConsumer.name, () => {
  let nats: TestNatsServer;
  let messaging: Nats;
  let sut: DurableEventConsumer | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    messaging = await Nats.connect({ servers: nats.url, region, service: 'test', logger });
    await ensureEventStream(await messaging.jetStreamManager(), messaging.region);
  });

  afterEach(async () => {
    await sut?.stop();
    sut = undefined;
  });

  afterAll(async () => {
    await messaging?.close();
    await nats?.stop();
  });

  async function consume(durable: string, handler: EventHandler, concurrency = 4) {
    const jsm = await messaging.jetStreamManager();
    const stream = eventStreamName(region);
    await ensureConsumer(jsm, stream, durable, `meridian.${region}.evt.${durable}.>`);
    sut = new DurableEventConsumer(messaging.jetStream(), handler, {
      stream,
      durable,
      concurrency,
      failedAfterAttempts: 5,
      logger,
    });
    sut.start();
    return async () => (await jsm.consumers.info(stream, durable)).num_ack_pending;
  }

  function publish(resource: string, repository: string): Promise<void> {
    const eventId = randomUUID();
    return new EventPublisher(messaging).publishEvent(
      eventSubject(region, `${resource}.pushed.v1`),
      { repository, eventId },
      eventId,
    );
  }

  it('retries a failing event with growing pauses, reporting each failure, until it applies', async () => {
    const attempts: { attempt: number; at: number }[] = [];
    const failures: number[] = [];
    const unacknowledged = await consume('retried', {
      apply: async (event) => {
        attempts.push({ attempt: event.attempt, at: Date.now() });
        if (event.attempt < 3) throw new Error('peer store unreachable');
      },
      failed: async (event) => {
        failures.push(event.attempt);
      },
    });
    await publish('retried', 'team/api');

    await expectEventually(
      () => expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]),
      {
        timeoutMs: 10_000,
      },
    );
    expect(failures).toEqual([1, 2]);
    const [first, second, third] = attempts.map((entry) => entry.at);
    expect(second! - first!).toBeGreaterThanOrEqual(450);
    expect(third! - second!).toBeGreaterThanOrEqual(950);
    await expectEventually(async () => expect(await unacknowledged()).toBe(0));
  });

  it("applies one repository's events in order while another repository's go ahead", async () => {
    const applied: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let blocked = true;
    await consume('ordered', {
      apply: async (event: ConsumedEvent) => {
        const { repository } = event.payload as { repository: string };
        if (repository === 'team/slow' && blocked) {
          blocked = false;
          await gate;
        }
        applied.push(`${event.name}:${repository}`);
      },
      failed: async () => undefined,
    });
    await publish('ordered', 'team/slow');
    await publish('ordered', 'team/slow');
    await publish('ordered', 'team/fast');

    await expectEventually(() => expect(applied).toEqual(['ordered.pushed.v1:team/fast']));
    release();
    await expectEventually(() =>
      expect(applied).toEqual([
        'ordered.pushed.v1:team/fast',
        'ordered.pushed.v1:team/slow',
        'ordered.pushed.v1:team/slow',
      ]),
    );
  });
});
