/**
 * Transactions in fewer round trips, on a real Postgres: BEGIN travels with the first
 * statement and COMMIT with the last (counted as writes to the connection's socket), and a
 * failure anywhere rolls everything back and leaves the connection fit for the next caller.
 */
import { type TestDatabase, createTestDatabase } from '@meridian/testing';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { type Sql, beginPipelined, createSql } from '../src';

describe('beginPipelined', () => {
  let database: TestDatabase;
  let sql: Sql;

  beforeAll(async () => {
    database = await createTestDatabase('pipelined');
    sql = createSql(database.url, { max: 1 });
    await sql`create table notes (id int primary key, body text not null)`;
  });

  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  beforeEach(async () => {
    await sql`truncate notes`;
  });

  const notes = async () =>
    (await sql<{ id: number }[]>`select id from notes order by id`).map((row) => row.id);

  it('commits what its statements did, COMMIT sent behind the last', async () => {
    const result = await beginPipelined(sql, async (tx, commitWith) => {
      await tx`insert into notes values (1, 'one')`;
      return commitWith(tx`insert into notes values (2, 'two') returning id`);
    });

    expect(result).toEqual([{ id: 2 }]);
    expect(await notes()).toEqual([1, 2]);
  });

  it('commits after the work when it does not end with commitWith', async () => {
    const result = await beginPipelined(sql, async (tx) => {
      await tx`insert into notes values (1, 'one')`;
      return 'done';
    });

    expect(result).toBe('done');
    expect(await notes()).toEqual([1]);
  });

  it('rolls back when the work throws', async () => {
    await expect(
      beginPipelined(sql, async (tx) => {
        await tx`insert into notes values (1, 'one')`;
        throw new Error('changed its mind');
      }),
    ).rejects.toThrow('changed its mind');

    expect(await notes()).toEqual([]);
  });

  it('rolls back when the statement in front of the COMMIT fails, and the connection goes on', async () => {
    await expect(
      beginPipelined(sql, async (tx, commitWith) => {
        await tx`insert into notes values (1, 'one')`;
        return commitWith(tx`insert into notes values (1, 'the same key')`);
      }),
    ).rejects.toThrow(/duplicate key/);

    // the pool has one connection: this runs on the one the transaction had
    expect(await notes()).toEqual([]);
    await beginPipelined(sql, async (tx, commitWith) =>
      commitWith(tx`insert into notes values (3, 'three')`),
    );
    expect(await notes()).toEqual([3]);
  });

  it('is two writes to the server for two statements, where sql.begin is four', async () => {
    const url = new URL(database.url);
    let writes = 0;
    // `socket` (a function that makes the connection's socket) is an option of postgres.js
    // its types do not list
    const options = {
      max: 1,
      onnotice: () => undefined,
      socket: () => {
        const socket = connect(Number(url.port), url.hostname);
        const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
        socket.write = ((...args: unknown[]) => {
          writes += 1;
          return write(...args);
        }) as typeof socket.write;
        return socket;
      },
    };
    const counted = postgres(database.url, options as postgres.Options<Record<string, never>>);
    try {
      await counted`select 1`; // connects and authenticates
      writes = 0;
      await beginPipelined(counted, async (tx, commitWith) => {
        await tx`insert into notes values (1, 'one')`;
        return commitWith(tx`insert into notes values (2, 'two')`);
      });
      const pipelined = writes;
      writes = 0;
      await counted.begin(async (tx) => {
        await tx`insert into notes values (3, 'three')`;
        await tx`insert into notes values (4, 'four')`;
      });

      expect({ pipelined, begin: writes }).toEqual({ pipelined: 2, begin: 4 });
      expect(await notes()).toEqual([1, 2, 3, 4]);
    } finally {
      await counted.end({ timeout: 5 });
    }
  });

  /** A pool of one connection of its own, ended after `use`. */
  async function withPoolOfOne(use: (pool: Sql) => Promise<void>): Promise<void> {
    const pool = createSql(database.url, { max: 1 });
    try {
      await use(pool);
    } finally {
      await pool.end({ timeout: 1 });
    }
  }

  it('goes on when the server ends the connection it waits for', () =>
    withPoolOfOne(async (pool) => {
      const holder = await pool.reserve();
      const [session] = await holder<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const waiting = beginPipelined(pool, async (tx, commitWith) =>
        commitWith(tx`insert into notes values (5, 'five') returning id`),
      );
      // the transaction is queued behind the only connection; the server ends that one
      await sleep(50);
      await sql`select pg_terminate_backend(${session!.pid})`;

      const outcome = await Promise.race([waiting, sleep(5_000, 'still waiting')]);

      expect(outcome).toEqual([{ id: 5 }]);
      expect(await notes()).toEqual([5]);
    }));

  it('waits for a busy pool past a repeated ask, and keeps no second connection', () =>
    withPoolOfOne(async (pool) => {
      const holder = await pool.reserve();
      const waiting = beginPipelined(pool, async (tx, commitWith) =>
        commitWith(tx`insert into notes values (6, 'six') returning id`),
      );
      // held past the time a reserve is asked for again
      await sleep(1_500);
      holder.release();

      expect(await waiting).toEqual([{ id: 6 }]);
      // the answer to the repeated ask went back: the pool's one connection serves this
      await expect(pool`select count(*)::int as notes from notes`).resolves.toEqual([{ notes: 1 }]);
    }));
});
