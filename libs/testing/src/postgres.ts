/**
 * A fresh database per test file, on the Postgres in MERIDIAN_TEST_POSTGRES_URL or the
 * machine's (127.0.0.1:5432, user postgres, trust auth). Where that server does not
 * answer and no URL was given, an embedded Postgres is started in a temporary directory
 * and shared by the databases of this test file; dropping the last one stops it.
 * (`npm test` starts one server for the whole run when the machine has none.)
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@meridian/process';
import postgres from 'postgres';
import { echoWhenVerbose } from './process-group';

export const defaultTestPostgresUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** drops the database, closing connections a test left open */
  drop(): Promise<void>;
}

interface Server {
  url: string;
  release(): Promise<void>;
}

let embedded:
  { server: Promise<{ url: string; stop(): Promise<void> }>; users: number } | undefined;

export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const server = await acquireServer();
  const name = uniqueDatabaseName(prefix);
  try {
    await withConnection(server.url, (sql) => sql`create database ${sql(name)}`);
  } catch (error) {
    await server.release();
    throw error;
  }
  let dropped = false;
  return {
    name,
    url: databaseUrl(server.url, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await withConnection(
          server.url,
          (sql) => sql`drop database if exists ${sql(name)} with (force)`,
        );
      } finally {
        await server.release();
      }
    },
  };
}

/** The URL of database `name` on the server of `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Lowercase, at most 63 bytes (Postgres' identifier limit), unique per call. */
export function uniqueDatabaseName(prefix: string): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .slice(0, 40) || 'test';
  return `${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

async function acquireServer(): Promise<Server> {
  const configured = process.env['MERIDIAN_TEST_POSTGRES_URL'];
  const url = configured || defaultTestPostgresUrl;
  if (!embedded && (await isReachable(url))) return { url, release: async () => undefined };
  if (configured && !embedded) {
    throw new Error('MERIDIAN_TEST_POSTGRES_URL names a Postgres server that does not answer');
  }
  embedded ??= { server: startTestPostgres(), users: 0 };
  const current = embedded;
  current.users++;
  let started: { url: string };
  try {
    started = await current.server;
  } catch (error) {
    if (embedded === current) embedded = undefined;
    throw error;
  }
  return {
    url: started.url,
    async release() {
      current.users--;
      if (current.users > 0 || embedded !== current) return;
      embedded = undefined;
      await (await current.server).stop();
    },
  };
}

async function startTestPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'meridian-pg-'));
  // as root the server runs as another user, who must be able to reach its data directory
  await chmod(dir, 0o755);
  try {
    const server = await startEmbeddedPostgres({
      dataDir: join(dir, 'data'),
      name: 'postgres',
      onLine: echoWhenVerbose('postgres'),
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
    });
    return {
      url: server.url,
      async stop() {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function isReachable(url: string): Promise<boolean> {
  try {
    await withConnection(url, (sql) => sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

async function withConnection<T>(url: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => undefined });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
