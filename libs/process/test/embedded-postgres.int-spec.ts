import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../src/embedded-postgres';

describe(startEmbeddedPostgres.name, () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-embedded-pg-'));
    await chmod(dir, 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('initialises a cluster, serves it, and keeps its data across restarts', async () => {
    const dataDir = join(dir, 'data');
    const first = await startEmbeddedPostgres({ dataDir, settings: { fsync: 'off' } });
    try {
      await query(first.url, (sql) => sql`create table kept (value text)`);
      await query(first.url, (sql) => sql`insert into kept values ('still here')`);
    } finally {
      await first.stop();
    }
    expect(first.process.exitStatus).toEqual({ code: 0, signal: null });

    const second = await startEmbeddedPostgres({ dataDir, settings: { fsync: 'off' } });
    try {
      await expect(query(second.url, (sql) => sql`select value from kept`)).resolves.toEqual([
        { value: 'still here' },
      ]);
    } finally {
      await second.stop();
    }
  });

  it('stops a server a killed launcher left running on the same data directory', async () => {
    const dataDir = join(dir, 'leftover');
    const orphan = await startEmbeddedPostgres({ dataDir, settings: { fsync: 'off' } });
    const sut = await startEmbeddedPostgres({ dataDir, settings: { fsync: 'off' } });
    try {
      expect(orphan.process.running).toBe(false);
      await expect(query(sut.url, (sql) => sql`select 1 as one`)).resolves.toEqual([{ one: 1 }]);
    } finally {
      await sut.stop();
    }
  });
});

async function query<T>(url: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}
