import { join } from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { HybridLogicalClock, blobUploaded, eventStreamName } from '@meridian/contracts';
import { Nats, EventPublisher, ensureEventStream } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import {
  type TestDatabase,
  type TestNatsServer,
  createTestDatabase,
  expectEventually,
  startNatsServer,
} from '@meridian/testing';
import {
  Outbox,
  OutboxRelay,
  type Sql,
  createSql,
  loadMigrations,
  migrate,
  outboxTableSql,
} from '../src';

const logger = createLogger({ service: 'test', region: 'us-east', level: 'silent' });
const digest = `sha256:${'a'.repeat(64)}`;

describe(OutboxRelay.name, () => {
  let db: TestDatabase;
  let nats: TestNatsServer;
  let sql: Sql;
  let messaging: Nats;
  let migrationsDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('outbox');
    nats = await startNatsServer();
    sql = createSql(db.url);
    messaging = await Nats.connect({
      servers: nats.url,
      region: 'us-east',
      service: 'test',
      logger,
    });
    await ensureEventStream(await messaging.jetStreamManager(), messaging.region);
    migrationsDir = await mkdtemp(join(tmpdir(), 'meridian-migrations-'));
    await writeFile(
      join(migrationsDir, '0001_init.sql'),
      `${outboxTableSql}\ncreate table things (id int primary key);`,
    );
  });

  afterAll(async () => {
    await messaging?.close();
    await sql?.end();
    await nats?.stop();
    await db?.drop();
    if (migrationsDir) await rm(migrationsDir, { recursive: true, force: true });
  });

  async function streamMessages(): Promise<number> {
    const jsm = await messaging.jetStreamManager();
    return (await jsm.streams.info(eventStreamName('us-east'))).state.messages;
  }

  it('applies migrations once, even when two runners race', async () => {
    const migrations = await loadMigrations(migrationsDir);
    const [first, second] = await Promise.all([
      migrate(sql, 'svc', migrations),
      migrate(sql, 'svc', migrations),
    ]);
    expect([...first, ...second]).toEqual(['0001_init']);
    expect(await migrate(sql, 'svc', migrations)).toEqual([]);
  });

  it('publishes committed events, never rolled-back ones, and empties the outbox', async () => {
    const outbox = new Outbox('svc', new HybridLogicalClock('us-east'));
    const relay = new OutboxRelay(
      sql,
      'svc',
      (s, p, id) => new EventPublisher(messaging).publishEvent(s, p, id),
      logger,
      { pollIntervalMs: 60_000 },
    );
    const before = await streamMessages();
    await relay.start();
    try {
      await sql.begin(async (tx) => {
        await tx`insert into svc.things values (1)`;
        await outbox.write(tx, blobUploaded, {
          ...outbox.envelope(),
          repository: 'team/app',
          digest,
          size: 3,
        });
      });
      await expect(
        sql.begin(async (tx) => {
          await outbox.write(tx, blobUploaded, {
            ...outbox.envelope(),
            repository: 'team/app',
            digest,
            size: 4,
          });
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');

      // woken by NOTIFY, not by the (one minute) poll
      await expectEventually(async () => expect(await streamMessages()).toBe(before + 1), {
        timeoutMs: 5000,
      });
      await expectEventually(async () =>
        expect((await sql`select count(*)::int as n from svc.outbox`)[0]!.n).toBe(0),
      );
    } finally {
      await relay.stop();
    }
  });

  it('keeps events while NATS is down and publishes them when it is back', async () => {
    const outbox = new Outbox('svc', new HybridLogicalClock('us-east'));
    const relay = new OutboxRelay(
      sql,
      'svc',
      (s, p, id) => new EventPublisher(messaging).publishEvent(s, p, id),
      logger,
      {
        pollIntervalMs: 200,
        maxBackoffMs: 200,
      },
    );
    const before = await streamMessages();
    await nats.kill();
    await relay.start();
    try {
      await sql.begin((tx) =>
        outbox.write(tx, blobUploaded, {
          ...outbox.envelope(),
          repository: 'team/app',
          digest,
          size: 5,
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 500)); // the relay fails at least once meanwhile
      expect((await sql`select count(*)::int as n from svc.outbox`)[0]!.n).toBe(1);
      await nats.restart();
      await expectEventually(async () => expect(await streamMessages()).toBe(before + 1), {
        timeoutMs: 15_000,
      });
    } finally {
      await relay.stop();
    }
  });

  it('refuses an event that breaks its contract, inside the transaction', async () => {
    const outbox = new Outbox('svc', new HybridLogicalClock('us-east'));
    await expect(
      sql.begin((tx) =>
        outbox.write(tx, blobUploaded, {
          ...outbox.envelope(),
          repository: 'Bad Name',
          digest,
          size: 1,
        }),
      ),
    ).rejects.toThrow();
  });
});

describe(`${OutboxRelay.name} wake-ups`, () => {
  let db: TestDatabase;
  let nats: TestNatsServer;
  let sql: Sql;
  let messaging: Nats;

  beforeAll(async () => {
    db = await createTestDatabase('outbox_wake');
    nats = await startNatsServer();
    sql = createSql(db.url);
    messaging = await Nats.connect({
      servers: nats.url,
      region: 'us-east',
      service: 'test',
      logger,
    });
    await ensureEventStream(await messaging.jetStreamManager(), messaging.region);
    await migrate(sql, 'svc', [{ id: '0001_init', sql: outboxTableSql }]);
  });

  afterAll(async () => {
    await messaging?.close();
    await sql?.end();
    await nats?.stop();
    await db?.drop();
  });

  it('does not lose a notification that arrives while a batch is being published', async () => {
    const outbox = new Outbox('svc', new HybridLogicalClock('us-east'));
    let firstPublish: (() => void) | undefined;
    const firstPublishStarted = new Promise<void>((resolve) => (firstPublish = resolve));
    let release: (() => void) | undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const relay = new OutboxRelay(
      sql,
      'svc',
      async (s, p, id) => {
        calls += 1;
        if (calls === 1) {
          firstPublish!();
          await released; // hold the first batch while the second event commits
        }
        await new EventPublisher(messaging).publishEvent(s, p, id);
      },
      logger,
      { pollIntervalMs: 60_000 },
    );
    const write = (size: number) =>
      sql.begin((tx) =>
        outbox.write(tx, blobUploaded, {
          ...outbox.envelope(),
          repository: 'team/app',
          digest,
          size,
        }),
      );
    await relay.start();
    try {
      await write(1);
      await firstPublishStarted;
      await write(2); // its NOTIFY arrives while the relay is busy
      release!();
      // with a lost wake-up the second event would wait for the one-minute poll
      await expectEventually(
        async () => expect((await sql`select count(*)::int as n from svc.outbox`)[0]!.n).toBe(0),
        {
          timeoutMs: 3000,
        },
      );
    } finally {
      await relay.stop();
    }
  });
  it('publishes what was written while its LISTEN connection was down, once it is back', async () => {
    const outbox = new Outbox('svc', new HybridLogicalClock('us-east'));
    const published: number[] = [];
    const relay = new OutboxRelay(
      sql,
      'svc',
      async (s, p, id) => {
        published.push((p as { size: number }).size);
        await new EventPublisher(messaging).publishEvent(s, p, id);
      },
      logger,
      { pollIntervalMs: 60_000 },
    );
    const admin = createSql(db.url);
    await relay.start();
    try {
      // the listening backend goes away, and the event's NOTIFY with it
      await admin`select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query like 'listen%'`;
      await admin.begin((tx) =>
        outbox.write(tx, blobUploaded, {
          ...outbox.envelope(),
          repository: 'team/app',
          digest,
          size: 7,
        }),
      );
      // without the flush on reconnect it would wait for the one-minute poll
      await expectEventually(async () => expect(published).toContain(7), { timeoutMs: 10_000 });
    } finally {
      await relay.stop();
      await admin.end();
    }
  });
});
