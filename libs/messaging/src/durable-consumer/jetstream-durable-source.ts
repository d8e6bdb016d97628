/**
 * The durable consumers' JetStream side: ensure-consumer (create, or update filter, ack wait
 * and pending bound in place, so the position is kept) and one-message pulls.
 */
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy as NatsDeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { DurableConsumerSpec, DurableSource, OpenedDurable } from './durable-source';

const nanosPerMs = 1_000_000;

/** What the durable consumers take from the service's NATS connection. */
export interface JetStreamAccess {
  jetStream(): JetStreamClient;
  jetStreamManager(): Promise<JetStreamManager>;
}

export class JetStreamDurableSource implements DurableSource {
  constructor(private readonly nats: JetStreamAccess) {}

  async ensure(spec: DurableConsumerSpec): Promise<void> {
    await ensureDurableConsumer(await this.nats.jetStreamManager(), spec);
  }

  async open(stream: string, durable: string): Promise<OpenedDurable> {
    const consumer = await this.nats.jetStream().consumers.get(stream, durable);
    return { next: (expiresMs) => consumer.next({ expires: expiresMs }) };
  }
}

/** Creates the durable pull consumer, or brings an existing one up to date, position and all. */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  spec: DurableConsumerSpec,
): Promise<void> {
  const settings = updatableSettings(spec);
  let current: ConsumerConfig;
  try {
    current = (await jsm.consumers.info(spec.stream, spec.durable)).config;
  } catch (error) {
    if (!/consumer not found/i.test(String(error))) throw error;
    await jsm.consumers
      .add(spec.stream, {
        durable_name: spec.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy:
          spec.deliverPolicy === 'new' ? NatsDeliverPolicy.New : NatsDeliverPolicy.All,
        max_deliver: -1,
        ...settings,
      })
      .catch((addError: unknown) => {
        // another replica created it meanwhile
        if (!/already in use|consumer already exists/i.test(String(addError))) throw addError;
      });
    return;
  }
  if (!upToDate(current, settings)) await jsm.consumers.update(spec.stream, spec.durable, settings);
}

function updatableSettings(spec: DurableConsumerSpec): Partial<ConsumerConfig> {
  const [only, ...more] = spec.filterSubjects;
  return {
    // one of the two, the other cleared: an update merges into the current configuration
    ...(more.length === 0
      ? { filter_subject: only, filter_subjects: undefined }
      : { filter_subject: undefined, filter_subjects: [...spec.filterSubjects] }),
    ack_wait: spec.ackWaitMs * nanosPerMs,
    ...(spec.maxAckPending === undefined ? {} : { max_ack_pending: spec.maxAckPending }),
  };
}

function upToDate(current: ConsumerConfig, wanted: Partial<ConsumerConfig>): boolean {
  const filters = (config: Partial<ConsumerConfig>) =>
    (config.filter_subjects ?? (config.filter_subject ? [config.filter_subject] : [])).join(' ');
  return (
    filters(current) === filters(wanted) &&
    current.ack_wait === wanted.ack_wait &&
    (wanted.max_ack_pending === undefined || current.max_ack_pending === wanted.max_ack_pending)
  );
}
