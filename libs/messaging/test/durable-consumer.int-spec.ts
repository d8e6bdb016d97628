/**
 * The durable consumer on a real nats-server, configured as replication runs it: acknowledged only after the handler succeeded,
 * retried with backoff after a failure (each failed attempt reported), one repository's
 * events in order while another repository's go ahead.
 */
import { randomUUID } from 'node:crypto';
import { eventNameOfSubject, eventStreamName, eventSubject } from '@meridian/contracts';
import { createLogger } from '@meridian/telemetry';
import { type TestNatsServer, expectEventually, startNatsServer } from '@meridian/testing';
import {
  DurableConsumer,
  type DurableEvent,
  type DurableEventHandler,
  JetStreamDurableSource,
  ensureDurableConsumer,
  exponentialBackoff,
} from '../src/durable-consumer';
import { EventPublisher } from '../src/event-publisher';
import { ensureEventStream } from '../src/event-stream';
import { Nats } from '../src/nats';

const region = 'us-east';
const logger = createLogger({ service: 'replication', region, level: 'silent' });

describe(DurableConsumer.name, () => {
  let nats: TestNatsServer;
  let messaging: Nats;
  let sut: DurableConsumer | undefined;

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

  async function consume(durable: string, handler: DurableEventHandler, concurrency = 4) {
    const stream = eventStreamName(region);
    sut = new DurableConsumer(
      new JetStreamDurableSource(messaging),
      {
        stream,
        durable,
        filterSubjects: [`meridian.${region}.evt.${durable}.>`],
        deliverPolicy: 'all',
        ackWaitMs: 15_000,
        eventNameOf: eventNameOfSubject,
        concurrency,
        orderingKey: (event) => (event.payload as { repository: string }).repository,
        retryDelayMs: exponentialBackoff(500, 30_000),
        logger,
      },
      handler,
    );
    await sut.start();
    const jsm = await messaging.jetStreamManager();
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
      handle: async (event) => {
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
      handle: async (event: DurableEvent) => {
        const { repository } = event.payload as { repository: string };
        if (repository === 'team/slow' && blocked) {
          blocked = false;
          await gate;
        }
        applied.push(`${event.name}:${repository}`);
      },
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

  it('creates a durable as declared, and brings an existing one up to date, keeping its position', async () => {
    const jsm = await messaging.jetStreamManager();
    const stream = eventStreamName(region);
    const spec = {
      stream,
      durable: 'updated',
      filterSubjects: [`meridian.${region}.evt.updated.>`],
      deliverPolicy: 'new' as const,
      ackWaitMs: 30_000,
    };
    await ensureDurableConsumer(jsm, spec);
    expect((await jsm.consumers.info(stream, 'updated')).config).toMatchObject({
      filter_subject: `meridian.${region}.evt.updated.>`,
      ack_policy: 'explicit',
      deliver_policy: 'new',
      max_deliver: -1,
      ack_wait: 30_000 * 1_000_000,
    });
    await publish('updated', 'team/api');
    const taken = await messaging.jetStream().consumers.get(stream, 'updated');
    await (await taken.next({ expires: 2_000 }))?.ackAck();

    await ensureDurableConsumer(jsm, {
      ...spec,
      filterSubjects: [`meridian.${region}.evt.>`],
      ackWaitMs: 15_000,
      maxAckPending: 10,
    });
    const updated = await jsm.consumers.info(stream, 'updated');
    expect(updated.config).toMatchObject({
      filter_subject: `meridian.${region}.evt.>`,
      ack_wait: 15_000 * 1_000_000,
      max_ack_pending: 10,
    });
    expect(updated.delivered.consumer_seq).toBe(1);
    expect(updated.num_ack_pending).toBe(0);
  });

  describe('an opened durable', () => {
    const stream = eventStreamName(region);
    const spec = (durable: string) => ({
      stream,
      durable,
      filterSubjects: [`meridian.${region}.evt.${durable}.>`],
      deliverPolicy: 'all' as const,
      ackWaitMs: 30_000,
    });

    it('takes message after message on one inbox, each with its delivery count, and null when none comes', async () => {
      const source = new JetStreamDurableSource(messaging);
      await source.ensure(spec('pulled'));
      for (const repository of ['team/a', 'team/b', 'team/c']) await publish('pulled', repository);
      const subscriptionsBefore = subscriptionCount();
      const opened = await source.open(stream, 'pulled');
      expect(subscriptionCount()).toBe(subscriptionsBefore + 1);

      const taken: string[] = [];
      for (let pulls = 0; pulls < 4; pulls += 1) {
        const message = await opened.next(2_000);
        const { repository } = message!.json<{ repository: string }>();
        taken.push(`${repository} ${message!.info.deliveryCount}`);
        // the first one is offered again, with its delivery count up
        if (pulls === 0) message!.nak();
        else message!.ack();
      }
      expect(taken.sort()).toEqual(['team/a 1', 'team/a 2', 'team/b 1', 'team/c 1']);
      expect(subscriptionCount()).toBe(subscriptionsBefore + 1);
      const started = Date.now();
      await expect(opened.next(300)).resolves.toBeNull();
      expect(Date.now() - started).toBeLessThan(2_000);

      opened.close();
      expect(subscriptionCount()).toBe(subscriptionsBefore);
      const jsm = await messaging.jetStreamManager();
      await expectEventually(async () => {
        const info = await jsm.consumers.info(stream, 'pulled');
        expect(info.num_ack_pending).toBe(0);
        expect(info.num_pending).toBe(0);
      });
    });

    it('fails a waiting pull when it is closed or its durable is deleted, and opens no deleted durable', async () => {
      const source = new JetStreamDurableSource(messaging);
      await source.ensure(spec('deleted'));
      const opened = await source.open(stream, 'deleted');
      const closing = opened.next(10_000);
      opened.close();
      await expect(closing).rejects.toThrow(/closed/);

      const reopened = await source.open(stream, 'deleted');
      const waiting = reopened.next(10_000);
      const started = Date.now();
      await (await messaging.jetStreamManager()).consumers.delete(stream, 'deleted');
      await expect(waiting).rejects.toThrow(/409/);
      expect(Date.now() - started).toBeLessThan(5_000);
      reopened.close();
      await expect(source.open(stream, 'deleted')).rejects.toThrow(/not found/i);
    });
  });

  /** the subscriptions the client holds */
  function subscriptionCount(): number {
    return (
      messaging.connection as unknown as { protocol: { subscriptions: { size(): number } } }
    ).protocol.subscriptions.size();
  }
});
