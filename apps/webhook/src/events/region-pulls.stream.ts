/**
 * The region's pulls stream (`MERIDIAN_<REGION>_PULLS`): the gateway publishes a pull there
 * without waiting (`image.pulled.v1`), and the webhook service keeps the stream only while
 * some enabled webhook has the `pull` action (region-pulls.consumer.ts). Kept a day at most,
 * bounded in bytes, the oldest discarded first; no region sources it.
 */
import { pullStreamName, pullSubjectWildcard } from '@meridian/contracts';
import { ensureStream } from '@meridian/messaging';
import { DiscardPolicy, type JetStreamManager } from '@nats-io/jetstream';

export interface PullStreamOptions {
  /** how long a pull waits for the webhook service: short, pulls are many */
  maxAgeMs?: number;
  /** the stream's bound in bytes; the oldest pulls go first */
  maxBytes?: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/** Creates the region's pulls stream, or brings its settings up to date. Idempotent. */
export async function ensurePullStream(
  jsm: JetStreamManager,
  region: string,
  options: PullStreamOptions = {},
): Promise<void> {
  await ensureStream(jsm, {
    name: pullStreamName(region),
    subjects: [pullSubjectWildcard(region)],
    max_age: (options.maxAgeMs ?? dayMs) * 1_000_000,
    max_bytes: options.maxBytes ?? 256 * 1024 * 1024,
    discard: DiscardPolicy.Old,
    duplicate_window: 2 * 60 * 1000 * 1_000_000,
  });
}
