import { join } from 'node:path';
import { loadMigrations, migrate } from '@meridian/database';
import { createTestDatabase, type TestDatabase } from '@meridian/testing';
import postgres from 'postgres';

describe('blob migration 0003: usage of blobs stored before it', () => {
  let database: TestDatabase;
  let sql: postgres.Sql;

  beforeAll(async () => {
    database = await createTestDatabase('blob_backfill');
    sql = postgres(database.url, { max: 1, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  it('counts what the store held, each blob once in the store and once per repository', async () => {
    const migrations = await loadMigrations(join(__dirname, '../src/migrations'));
    await migrate(
      sql,
      'blob',
      migrations.filter((migration) => migration.id < '0003'),
    );
    await sql`insert into blob.blobs (digest, size) values ('sha256:a', 100), ('sha256:b', 30)`;
    await sql`
      insert into blob.repository_blobs (repository, digest)
      values ('team/one', 'sha256:a'), ('team/two', 'sha256:a'), ('team/two', 'sha256:b')`;

    await migrate(sql, 'blob', migrations);

    expect(await sql`select bytes::int, blobs::int from blob.store_usage`).toEqual([
      { bytes: 130, blobs: 2 },
    ]);
    expect(
      await sql`select repository, bytes::int, blobs::int from blob.repository_usage order by 1`,
    ).toEqual([
      { repository: 'team/one', bytes: 100, blobs: 1 },
      { repository: 'team/two', bytes: 130, blobs: 2 },
    ]);
  });
});
