/**
 * Administration of the region's event stream (`MERIDIAN_<REGION>_EVENTS`): every service
 * that writes or reads events makes sure it exists at boot, with the same settings, so the
 * order in which a region's services start does not matter.
 */
import { eventStreamName, eventSubjectWildcard } from '@meridian/contracts';
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';

export interface EventStreamOptions {
  /** how long a region keeps its events: long enough for a peer region to be down and catch up */
  maxAgeMs?: number;
  duplicateWindowMs?: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/** how long a region keeps its events unless MERIDIAN_EVENT_RETENTION_SECONDS says otherwise */
export const defaultEventRetentionMs = 30 * dayMs;

/** Creates the region's event stream, or brings its settings up to date. Idempotent. */
export async function ensureEventStream(
  jsm: JetStreamManager,
  region: string,
  options: EventStreamOptions = {},
): Promise<void> {
  const maxAgeMs = options.maxAgeMs ?? defaultEventRetentionMs;
  await ensureStream(jsm, {
    name: eventStreamName(region),
    subjects: [eventSubjectWildcard(region)],
    max_age: maxAgeMs * 1_000_000,
    // JetStream refuses a duplicate window longer than the stream keeps messages
    duplicate_window: Math.min(options.duplicateWindowMs ?? 10 * 60 * 1000, maxAgeMs) * 1_000_000,
  });
}

/**
 * Creates a stream, or brings an existing one's settings up to date. Idempotent, and safe
 * when several processes of a region start at once: one creates it, the others update it.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
    try {
      await jsm.streams.add(config);
    } catch (addErr) {
      // another process of the region created it in the meantime
      if (!/already in use/i.test(String(addErr))) throw addErr;
    }
  }
}

export function isStreamNotFound(err: unknown): boolean {
  return err instanceof Error && /stream not found/i.test(err.message);
}
