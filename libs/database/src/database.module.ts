/**
 * Nest wiring for a service's database: one pool, the service's migrations applied before
 * anything else starts, the outbox, and its relay publishing to the region's event stream
 * from application bootstrap until shutdown. The pool is a readiness probe (`select 1`).
 */
import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HybridLogicalClock } from '@meridian/contracts';
import { EventPublisher, Nats, ensureEventStream } from '@meridian/messaging';
import { markReadinessProbe } from '@meridian/telemetry';
import type { Logger } from 'pino';
import { loadMigrations, migrate } from './migrate';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { type Sql, createSql } from './sql';

export const sqlToken = Symbol('Sql');
export const InjectSql = () => Inject(sqlToken);

export interface DatabaseModuleOptions {
  url: string;
  region: string;
  /** the Postgres schema the service owns */
  schema: string;
  migrationsDirectory: string;
  logger: Logger;
  poolSize?: number;
}

const optionsToken = Symbol('DatabaseModuleOptions');
const databaseReadinessToken = Symbol('DatabaseReadiness');

@Injectable()
class OutboxRelayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: OutboxRelay;

  constructor(
    @Inject(optionsToken) private readonly options: DatabaseModuleOptions,
    @Inject(sqlToken) private readonly sql: Sql,
    private readonly nats: Nats,
    private readonly publisher: EventPublisher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await ensureEventStream(
      await this.nats.jetStreamManager(),
      this.nats.region,
      this.nats.eventStreamOptions,
    );
    this.relay = new OutboxRelay(
      this.sql,
      this.options.schema,
      (subject, payload, eventId) => this.publisher.publishEvent(subject, payload, eventId),
      this.options.logger,
    );
    await this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.sql.end({ timeout: 5 });
  }
}

@Module({})
export class DatabaseModule {
  static forRootAsync(options: {
    inject?: unknown[];
    useFactory: (...args: never[]) => DatabaseModuleOptions;
  }): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: optionsToken,
          inject: options.inject as never[],
          useFactory: options.useFactory,
        },
        {
          provide: sqlToken,
          inject: [optionsToken],
          useFactory: async (opts: DatabaseModuleOptions) => {
            const sql = createSql(opts.url, {
              max: opts.poolSize,
              applicationName: `meridian-${opts.schema}`,
            });
            const applied = await migrate(
              sql,
              opts.schema,
              await loadMigrations(opts.migrationsDirectory),
            );
            if (applied.length > 0)
              opts.logger.info({ schema: opts.schema, applied }, 'migrations applied');
            return sql;
          },
        },
        {
          provide: Outbox,
          inject: [optionsToken],
          useFactory: (opts: DatabaseModuleOptions) =>
            new Outbox(opts.schema, new HybridLogicalClock(opts.region)),
        },
        {
          provide: databaseReadinessToken,
          inject: [sqlToken],
          useFactory: (sql: Sql) =>
            markReadinessProbe({
              dependency: 'database',
              check: async () => {
                await sql`select 1`;
              },
            }),
        },
        OutboxRelayLifecycle,
      ],
      exports: [sqlToken, Outbox],
    };
  }
}
