import { SpanKind, createLogger, startTracing } from '@meridian/telemetry';
import { expectEventually } from '@meridian/testing';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryDurableSource } from '../../test/fakes/in-memory-durable-source';
import {
  DurableConsumer,
  type DurableConsumerOptions,
  type DurableEvent,
  type DurableEventHandler,
  exponentialBackoff,
} from './durable-consumer';

const logger = createLogger({ service: 'test', region: 'us-east', level: 'silent' });

describe(DurableConsumer.name, () => {
  let source: InMemoryDurableSource;
  let sut: DurableConsumer | undefined;

  beforeEach(() => {
    source = new InMemoryDurableSource();
  });

  afterEach(async () => {
    await sut?.stop();
    sut = undefined;
  });

  async function consume(
    handler: DurableEventHandler,
    overrides: Partial<DurableConsumerOptions> = {},
  ) {
    sut = new DurableConsumer(
      source,
      {
        stream: 'EVENTS',
        durable: 'worker',
        filterSubjects: ['evt.>'],
        deliverPolicy: 'all',
        ackWaitMs: 30_000,
        retryDelayMs: exponentialBackoff(20, 80),
        eventNameOf: (subject) => subject.replace(/^evt\./, ''),
        logger,
        pullExpiresMs: 50,
        restartPauseMs: 20,
        ...overrides,
      },
      handler,
    );
    await sut.start();
    return source.durable('worker');
  }

  it('creates the durable as declared, and acknowledges an event only once its handler resolved', async () => {
    let finish!: () => void;
    const handled: DurableEvent[] = [];
    const durable = await consume({
      handle: async (event) => {
        handled.push(event);
        await new Promise<void>((resolve) => (finish = resolve));
      },
    });
    const message = durable.publish('evt.manifest.pushed.v1', { repository: 'team/api' });

    expect(source.ensured).toEqual([
      expect.objectContaining({ stream: 'EVENTS', durable: 'worker', filterSubjects: ['evt.>'] }),
    ]);
    await expectEventually(() =>
      expect(handled).toEqual([
        {
          subject: 'evt.manifest.pushed.v1',
          name: 'manifest.pushed.v1',
          payload: { repository: 'team/api' },
          attempt: 1,
        },
      ]),
    );
    expect(message.settled).toEqual([]);
    finish();
    await expectEventually(() => expect(message.settled).toEqual(['ack']));
  });

  it('offers a failed event again after a growing delay, recording each failure, until it succeeds', async () => {
    const attempts: number[] = [];
    const failures: number[] = [];
    const durable = await consume({
      handle: async ({ attempt }) => {
        attempts.push(attempt);
        if (attempt < 4) throw new Error('store unreachable');
      },
      failed: async ({ attempt }) => {
        failures.push(attempt);
      },
    });
    durable.publish('evt.blob.uploaded.v1', {});

    await expectEventually(() => expect(durable.acked).toHaveLength(1));
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(failures).toEqual([1, 2, 3]);
    expect(durable.handedOut.map((message) => message.settled)).toEqual([
      ['nak 20'],
      ['nak 40'],
      ['nak 80'],
      ['ack'],
    ]);
  });

  it('terminates an event once its attempts are spent, and goes on with the next', async () => {
    const durable = await consume(
      {
        handle: async ({ payload }) => {
          if ((payload as { poisoned: boolean }).poisoned) throw new Error('unreadable layer');
        },
        failed: async () => {
          throw new Error('a failing record does not stop the consumer');
        },
      },
      { giveUpAfterAttempts: 2 },
    );
    durable.publish('evt.manifest.pushed.v1', { poisoned: true });
    const next = durable.publish('evt.manifest.pushed.v1', { poisoned: false });

    await expectEventually(() => expect(next.settled).toEqual(['ack']));
    await expectEventually(() =>
      expect(
        durable.handedOut
          .filter((message) => message.json<{ poisoned: boolean }>().poisoned)
          .map((message) => message.settled),
      ).toEqual([['nak 20'], ['term']]),
    );
  });

  it('works on up to `concurrency` events at once, one key after the other in stream order', async () => {
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    const durable = await consume(
      {
        handle: async ({ payload }) => {
          const { id } = payload as { id: string };
          started.push(id);
          await new Promise<void>((resolve) => gates.set(id, resolve));
        },
      },
      {
        concurrency: 3,
        orderingKey: ({ payload }) => (payload as { repository: string }).repository,
      },
    );
    for (const [id, repository] of [
      ['a1', 'a'],
      ['a2', 'a'],
      ['b1', 'b'],
      ['c1', 'c'],
    ])
      durable.publish('evt.tag.updated.v1', { id, repository });

    // three in hand: a1 and b1 work, a2 waits for a1; c1 waits for a free slot
    await expectEventually(() => expect(started).toEqual(['a1', 'b1']));
    expect(durable.handedOut).toHaveLength(3);
    gates.get('a1')!();
    await expectEventually(() => expect(started).toEqual(['a1', 'b1', 'a2', 'c1']));
    for (const id of ['b1', 'a2', 'c1']) gates.get(id)!();
    await expectEventually(() => expect(durable.acked).toHaveLength(4));
  });

  it('tells the server it is still working while a handler takes long', async () => {
    const durable = await consume(
      { handle: () => new Promise((resolve) => setTimeout(resolve, 100)) },
      { ackWaitMs: 30 },
    );
    const message = durable.publish('evt.blob.uploaded.v1', {});

    await expectEventually(() => expect(message.settled).toEqual(['ack']));
    expect(message.heartbeats).toBeGreaterThanOrEqual(5);
  });

  it('opens the durable again after the connection was lost, where it stopped', async () => {
    const handled: unknown[] = [];
    const durable = await consume({
      handle: async ({ payload }) => {
        handled.push(payload);
      },
    });
    durable.publish('evt.blob.uploaded.v1', { n: 1 });
    await expectEventually(() => expect(handled).toEqual([{ n: 1 }]));

    source.loseConnection();
    durable.publish('evt.blob.uploaded.v1', { n: 2 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(handled).toEqual([{ n: 1 }]);
    source.reconnect();

    await expectEventually(() => expect(handled).toEqual([{ n: 1 }, { n: 2 }]));
  });

  it('stops once the event in hand is settled, handing back one taken while stopping', async () => {
    let finish!: () => void;
    const durable = await consume(
      {
        handle: () => new Promise<void>((resolve) => (finish = resolve)),
      },
      { concurrency: 2, pullExpiresMs: 1_000 },
    );
    const inHand = durable.publish('evt.blob.uploaded.v1', { n: 1 });
    await expectEventually(() => expect(finish).toBeDefined());

    let stopped = false;
    const stopping = sut!.stop().then(() => (stopped = true));
    const late = durable.publish('evt.blob.uploaded.v1', { n: 2 });
    await expectEventually(() => expect(late.settled).toEqual(['nak 0']));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(inHand.settled).toEqual(['ack']);
    expect(sut!.taking).toBe(false);
  });

  describe('tracing', () => {
    const spans = new InMemorySpanExporter();
    let tracing: ReturnType<typeof startTracing>;

    beforeAll(() => {
      tracing = startTracing({
        service: 'test',
        region: 'us-east',
        spanProcessors: [new SimpleSpanProcessor(spans)],
      });
    });

    afterAll(async () => {
      await tracing?.shutdown();
    });

    it('handles each event in a consumer span, the child of the span that published it', async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const publisher = '00f067aa0ba902b7';
      const durable = await consume({ handle: async () => undefined });
      durable.publish(
        'evt.manifest.pushed.v1',
        {},
        { traceparent: `00-${traceId}-${publisher}-01` },
      );

      await expectEventually(() => expect(durable.acked).toHaveLength(1));
      const [span] = spans.getFinishedSpans();
      expect(span).toMatchObject({
        name: 'evt.manifest.pushed.v1 process',
        kind: SpanKind.CONSUMER,
      });
      expect(span!.spanContext().traceId).toBe(traceId);
      expect(span!.parentSpanContext?.spanId).toBe(publisher);
      expect(span!.attributes).toMatchObject({
        'messaging.consumer.group.name': 'worker',
        'messaging.message.delivery_count': 1,
      });
    });
  });
});
