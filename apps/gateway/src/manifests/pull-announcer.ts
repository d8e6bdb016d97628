/**
 * Tells the region's webhook service that a manifest was served (`image.pulled.v1`, the `pull`
 * action), without the pull paying for it: a core NATS publish on the region's pulls subject,
 * captured by the short-lived pulls stream, never awaited. A pull that cannot be announced is
 * counted and logged, and the client has its manifest all the same.
 *
 * The webhook service keeps that stream only while some enabled webhook has the `pull` action,
 * the rare case: while it is known to be absent (looked up at most every
 * `pullStreamCheckMs`, in the background) pulls are not even published. So a `pull` webhook
 * may miss the pulls of the first seconds after it is saved; while unknown, pulls are published.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  HybridLogicalClock,
  type ImagePulled,
  imagePulled,
  pullStreamName,
  pullSubject,
} from '@meridian/contracts';
import { EventPublisher, Nats, type RpcContext, isStreamNotFound } from '@meridian/messaging';
import { type Logger, loggerToken, metrics } from '@meridian/telemetry';

/** What of NATS the announcer uses. */
export abstract class PullPublisher {
  abstract readonly region: string;
  abstract publishWithoutAck(subject: string, payload: unknown, msgId: string): void;
  /** whether the region's pulls stream exists (the webhook service keeps it only while wanted) */
  abstract pullStreamExists(): Promise<boolean>;
}

@Injectable()
export class NatsPullPublisher implements PullPublisher {
  constructor(
    private readonly nats: Nats,
    private readonly publisher: EventPublisher,
  ) {}

  get region(): string {
    return this.nats.region;
  }

  publishWithoutAck(subject: string, payload: unknown, msgId: string): void {
    this.publisher.publishWithoutAck(subject, payload, msgId);
  }

  async pullStreamExists(): Promise<boolean> {
    const jsm = await this.nats.jetStreamManager();
    try {
      await jsm.streams.info(pullStreamName(this.region));
      return true;
    } catch (err) {
      if (isStreamNotFound(err)) return false;
      throw err;
    }
  }
}

/** how long the gateway trusts what it last learnt about the pulls stream */
export const pullStreamCheckMs = 5_000;

export interface ServedManifest {
  repository: string;
  digest: string;
  mediaType: string;
  size: number;
  /** the tag the manifest was asked by, if it was */
  tag?: string;
}

@Injectable()
export class PullAnnouncer {
  private readonly clock: HybridLogicalClock;
  private readonly subject: string;
  private failing = false;
  private streamKept?: boolean;
  private checkedAt = -Infinity;
  private checking = false;

  constructor(
    private readonly publisher: PullPublisher,
    @Inject(loggerToken) private readonly logger: Logger,
  ) {
    this.clock = new HybridLogicalClock(publisher.region);
    this.subject = pullSubject(publisher.region, imagePulled.name);
  }

  /** Never throws and never waits. */
  announce(served: ServedManifest, context: RpcContext): void {
    if (!this.anyoneKeepsPulls()) return;
    try {
      const event = this.eventOf(served, context);
      this.publisher.publishWithoutAck(this.subject, event, event.eventId);
      if (this.failing) this.logger.info('pulls are announced again');
      this.failing = false;
    } catch (err) {
      metrics().natsErrors.add(1, { operation: 'publish-pull' });
      // one line per outage, not one per pull
      if (!this.failing) this.logger.warn({ err }, 'a pull could not be announced to webhooks');
      this.failing = true;
    }
  }

  /** What was last learnt of the pulls stream (true while unknown); looks again when stale. */
  private anyoneKeepsPulls(): boolean {
    if (!this.checking && Date.now() - this.checkedAt >= pullStreamCheckMs) void this.checkStream();
    return this.streamKept ?? true;
  }

  private async checkStream(): Promise<void> {
    this.checking = true;
    try {
      this.streamKept = await this.publisher.pullStreamExists();
    } catch {
      this.streamKept = undefined;
    } finally {
      this.checkedAt = Date.now();
      this.checking = false;
    }
  }

  private eventOf(served: ServedManifest, context: RpcContext): ImagePulled {
    return {
      eventId: randomUUID(),
      originRegion: this.publisher.region,
      hlc: this.clock.tick(),
      occurredAt: new Date().toISOString(),
      ...(context.actor ? { actor: context.actor } : {}),
      ...(context.request ? { request: context.request } : {}),
      repository: served.repository,
      digest: served.digest,
      mediaType: served.mediaType,
      size: served.size,
      ...(served.tag !== undefined ? { tag: served.tag } : {}),
      region: this.publisher.region,
    };
  }
}
