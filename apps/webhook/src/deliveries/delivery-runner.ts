/**
 * Sends what is due, from Postgres, for as long as the service runs. It takes due
 * deliveries (woken at once by the notification their insert sends, else at the next due
 * time, and at the latest every 20 s) up to a bound in flight overall and
 * MERIDIAN_WEBHOOK_CONCURRENCY per webhook, so a receiver that hangs holds only its own
 * webhook's slots and never delays another's. At shutdown it stops taking and lets the
 * requests in flight finish (each is bounded by the timeout); a process killed meanwhile
 * leaves leases that expire, and the work is taken again.
 * Finished deliveries older than the log's retention are purged hourly.
 */
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectSql, type Sql } from '@meridian/database';
import { type Logger, loggerToken } from '@meridian/telemetry';
import { AttemptDelivery } from './attempt-delivery';
import { DeliveriesRepository, type DueDelivery, deliveriesChannel } from './deliveries.repository';
import { type DeliverySettings, deliverySettingsToken } from './delivery.settings';

/** requests in flight at once, over every webhook */
const maxInFlight = 64;
/**
 * The longest sleep between looks at the queue: a safety net. A new delivery notifies, the
 * next due time (a retry, a lease that runs out) is asked for, and a LISTEN connection that
 * was lost wakes the loop once it listens again (what was notified meanwhile is not heard).
 */
const maxIdleMs = 20_000;
const errorPauseMs = 1_000;
const purgeEveryMs = 60 * 60 * 1000;
/** beyond the request timeout, before another process may take a leased delivery */
const leaseMarginMs = 30_000;

@Injectable()
export class DeliveryRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running = false;
  private loop?: Promise<void>;
  private woken = false;
  private wakeSleeper?: () => void;
  private readonly inFlightByWebhook = new Map<string, number>();
  private readonly sends = new Set<Promise<void>>();
  private unlisten?: () => Promise<void>;
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    @Inject(deliverySettingsToken) private readonly settings: DeliverySettings,
    @InjectSql() private readonly sql: Sql,
    private readonly deliveries: DeliveriesRepository,
    private readonly attempt: AttemptDelivery,
    @Inject(loggerToken) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const listener = await this.sql.listen(
      deliveriesChannel,
      () => this.wake(),
      () => this.wake(),
    );
    this.unlisten = () => listener.unlisten();
    this.running = true;
    this.loop = this.run();
    void this.purge();
    this.purgeTimer = setInterval(() => void this.purge(), purgeEveryMs);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    clearInterval(this.purgeTimer);
    this.wake();
    await this.loop;
    await Promise.all(this.sends);
    await this.unlisten?.().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const free = maxInFlight - this.sends.size;
        const due =
          free > 0
            ? await this.deliveries.takeDue(
                free,
                this.settings.concurrency,
                this.inFlightByWebhook,
                this.settings.timeoutMs + leaseMarginMs,
              )
            : [];
        for (const delivery of due) this.send(delivery);
        if (due.length === 0 || this.sends.size >= maxInFlight)
          await this.sleep(await this.idleMs());
      } catch (err) {
        this.logger.warn({ err }, 'failed to take due webhook deliveries');
        await this.sleep(errorPauseMs);
      }
    }
  }

  private send(delivery: DueDelivery): void {
    this.inFlightByWebhook.set(
      delivery.webhook,
      (this.inFlightByWebhook.get(delivery.webhook) ?? 0) + 1,
    );
    const work = this.attempt
      .run(delivery)
      .catch((err: unknown) =>
        // the lease expires and the delivery is taken again
        this.logger.warn(
          { err, webhook: delivery.webhook, delivery: delivery.id },
          'failed to record a webhook attempt',
        ),
      )
      .finally(() => {
        const left = (this.inFlightByWebhook.get(delivery.webhook) ?? 1) - 1;
        if (left === 0) this.inFlightByWebhook.delete(delivery.webhook);
        else this.inFlightByWebhook.set(delivery.webhook, left);
        this.sends.delete(work);
        this.wake();
      });
    this.sends.add(work);
  }

  private async idleMs(): Promise<number> {
    const next = await this.deliveries.nextDueAt();
    const wait = next ? next.getTime() - Date.now() : maxIdleMs;
    // due but not taken: their webhooks' slots are full, and a finished request wakes the loop
    return wait > 0 ? Math.min(maxIdleMs, wait) : maxIdleMs;
  }

  private wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  /** Until woken (a new delivery, a slot freed, shutdown) or `ms` pass. */
  private async sleep(ms: number): Promise<void> {
    if (this.woken || ms <= 0) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeSleeper = undefined;
    this.woken = false;
  }

  private async purge(): Promise<void> {
    try {
      const purged = await this.deliveries.purgeFinishedBefore(
        new Date(Date.now() - this.settings.logRetentionMs),
      );
      if (purged > 0) this.logger.info({ purged }, 'webhook delivery log purged');
    } catch (err) {
      this.logger.warn({ err }, 'failed to purge the webhook delivery log');
    }
  }
}
