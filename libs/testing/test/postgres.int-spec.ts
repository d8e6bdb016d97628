import postgres from 'postgres';
import { createTestDatabase, databaseUrl, uniqueDatabaseName } from '../src/postgres';

describe(createTestDatabase.name, () => {
  it('creates a fresh database and drops it, even with a connection left open', async () => {
    const sut = await createTestDatabase('harness');
    expect(sut.name).toMatch(/^harness_[a-z0-9]+_[0-9a-f]{8}$/);
    const sql = postgres(sut.url, { max: 1, onnotice: () => undefined });
    try {
      await sql`create table t (id int)`;
      await expect(sql`select current_database() as name`).resolves.toEqual([{ name: sut.name }]);
      await sut.drop();
      await expect(sql`select 1`).rejects.toThrow();
    } finally {
      await sql.end({ timeout: 1 });
    }
    const server = postgres(databaseUrl(sut.url, 'postgres'), { max: 1 });
    try {
      await expect(
        server`select 1 from pg_database where datname = ${sut.name}`,
      ).resolves.toHaveLength(0);
    } finally {
      await server.end();
    }
  });

  it('gives each call its own database', async () => {
    const [one, two] = await Promise.all([createTestDatabase('same'), createTestDatabase('same')]);
    try {
      expect(one.name).not.toBe(two.name);
    } finally {
      await Promise.all([one.drop(), two.drop()]);
    }
  });
});

describe(uniqueDatabaseName.name, () => {
  it('makes a valid identifier of any prefix', () => {
    const sut = uniqueDatabaseName('Blob Service/Int-Spec '.repeat(10));
    expect(sut).toMatch(/^[a-z0-9_]+$/);
    expect(Buffer.byteLength(sut)).toBeLessThanOrEqual(63);
  });
});
