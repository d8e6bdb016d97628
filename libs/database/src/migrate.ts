/**
 * Schema migrations. Each service owns one Postgres schema in its region's database
 * (`blob`, `manifest`, …) and applies its own migrations at start. Migrations are plain SQL
 * files `NNNN_<name>.sql` in the service's `migrations/` folder, applied in order, each in
 * its own transaction, under an advisory lock so replicas starting together apply them once.
 * The SQL refers to the schema by name; the search_path is the schema during a migration.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sql } from './sql';

export interface Migration {
  id: string;
  sql: string;
}

const migrationFile = /^(\d{4})_[a-z0-9_]+\.sql$/;
const schemaName = /^[a-z][a-z0-9_]*$/;

export async function loadMigrations(directory: string): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((file) => migrationFile.test(file)).sort();
  return Promise.all(
    files.map(async (file) => ({
      id: file.replace(/\.sql$/, ''),
      sql: await readFile(join(directory, file), 'utf8'),
    })),
  );
}

/** Applies the migrations that are not applied yet; returns the ids it applied. */
export async function migrate(
  sql: Sql,
  schema: string,
  migrations: Migration[],
): Promise<string[]> {
  if (!schemaName.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const applied: string[] = [];
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${`meridian.migrate.${schema}`}))`;
    await tx.unsafe(`create schema if not exists ${schema}`);
    await tx.unsafe(
      `create table if not exists ${schema}.schema_migrations (id text primary key, applied_at timestamptz not null default now())`,
    );
    const done = new Set(
      (await tx.unsafe<{ id: string }[]>(`select id from ${schema}.schema_migrations`)).map(
        (row) => row.id,
      ),
    );
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      await tx.unsafe(`set local search_path to ${schema}, public`);
      await tx.unsafe(migration.sql);
      await tx.unsafe(`insert into ${schema}.schema_migrations (id) values ($1)`, [migration.id]);
      applied.push(migration.id);
    }
  });
  return applied;
}
