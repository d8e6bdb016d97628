import { join } from 'node:path';
import { loadMigrations, migrate } from '@meridian/database';
import { createTestDatabase, type TestDatabase } from '@meridian/testing';
import postgres from 'postgres';

describe('manifest migration 0005: usage of manifests stored before it', () => {
  let database: TestDatabase;
  let sql: postgres.Sql;

  beforeAll(async () => {
    database = await createTestDatabase('manifest_backfill');
    sql = postgres(database.url, { max: 1, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  it('counts manifests, tags and the distinct blobs each repository references', async () => {
    const migrations = await loadMigrations(join(__dirname, '../src/migrations'));
    await migrate(
      sql,
      'manifest',
      migrations.filter((migration) => migration.id < '0005'),
    );
    const refs = (...blobs: [string, number][]) =>
      sql.json({ blobs: blobs.map(([digest, size]) => ({ digest, size })), manifests: [] });
    await sql`insert into manifest.repositories (name) values ('team/one'), ('team/empty')`;
    await sql`
      insert into manifest.manifests (repository, digest, media_type, size, body, refs, hlc)
      values
        ('team/one', 'sha256:m1', 'x', 1, '\\x00', ${refs(['sha256:c', 10], ['sha256:l', 100])}, ''),
        ('team/one', 'sha256:m2', 'x', 1, '\\x00', ${refs(['sha256:c', 10], ['sha256:k', 5])}, '')`;
    await sql`
      insert into manifest.tags (repository, name, digest, hlc)
      values ('team/one', 'v1', 'sha256:m1', ''), ('team/one', 'v2', 'sha256:m2', '')`;

    await migrate(sql, 'manifest', migrations);

    expect(
      await sql`
        select repository, bytes::int, manifests::int, tags::int
        from manifest.repository_usage order by 1`,
    ).toEqual([
      { repository: 'team/empty', bytes: 0, manifests: 0, tags: 0 },
      { repository: 'team/one', bytes: 115, manifests: 2, tags: 2 },
    ]);
    // and from there on the triggers keep it
    await sql`delete from manifest.manifests where digest = 'sha256:m1'`;
    expect(
      await sql`
        select bytes::int, manifests::int, tags::int
        from manifest.repository_usage where repository = 'team/one'`,
    ).toEqual([{ bytes: 15, manifests: 1, tags: 1 }]);
  });
});
