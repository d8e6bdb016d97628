/**
 * The region databases. They live on the Postgres server of DATABASE_URL when it is set,
 * otherwise on an embedded Postgres whose cluster persists in `<data dir>/postgres`
 * (port MERIDIAN_POSTGRES_PORT, or a free one chosen at first start and kept across
 * restarts). Each region's database is created when missing; services migrate it.
 */
import { join } from 'node:path';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '@meridian/process';
import postgres from 'postgres';
import type { LauncherConfig } from './config';
import type { LauncherOutput } from './launcher-output';
import { regionServices } from './services.launcher';
import type { SupervisedUnit } from './supervisor';

export interface PostgresUnit extends SupervisedUnit {
  /** the server's `postgres` database, once started */
  readonly url: string;
  /** where its cluster lives (elsewhere than asked when the Postgres user cannot reach that) */
  readonly dataDir: string;
}

/**
 * Connections each service with a database may hold: its pool (`createSql`'s default of 10 in
 * libs/database) and its outbox relay's LISTEN connection, with one to spare.
 */
const connectionsPerService = 12;
/** psql, the launcher's own database checks, a maintenance session. */
const connectionsBesideServices = 20;

/**
 * Postgres's default of 100 connections is less than the regions' pools add up to: three
 * regions of six services with a database may open 198 under load (a run of logins, a
 * backfill), and the one past the limit fails its request with "too many clients". So the
 * limit follows the regions the launcher starts; an idle region holds only a few per service.
 */
export function embeddedPostgresSettings(regions: number): Record<string, string> {
  const services = regionServices.filter((spec) => spec.database).length;
  const maxConnections = regions * services * connectionsPerService + connectionsBesideServices;
  return { max_connections: String(Math.max(100, maxConnections)) };
}

export function embeddedPostgresUnit(config: LauncherConfig, output: LauncherOutput): PostgresUnit {
  const name = 'postgres';
  const source = { prefix: name, kind: 'postgres', service: 'postgres' } as const;
  let server: EmbeddedPostgres | undefined;
  return {
    name,
    get url() {
      if (!server) throw new Error('postgres has not been started');
      return server.url;
    },
    get dataDir() {
      if (!server) throw new Error('postgres has not been started');
      return server.dataDir;
    },
    async launch(onSpawn) {
      server = await startEmbeddedPostgres({
        name,
        dataDir: join(config.dataDir, 'postgres'),
        port: server?.port ?? config.postgresPort,
        settings: embeddedPostgresSettings(config.regions.length),
        onLine: (line) => output.processLine(source, line),
        onSpawn,
      });
      return server.process;
    },
  };
}

/** Creates database `name` on the server unless it exists; returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const sql = postgres(serverUrl, { max: 1, connect_timeout: 10, onnotice: () => undefined });
  try {
    const existing = await sql`select 1 from pg_database where datname = ${name}`;
    if (existing.length === 0) {
      await sql`create database ${sql(name)}`.catch((error: { code?: string }) => {
        // created meanwhile by another launcher: what we wanted
        if (error.code !== '42P04') throw error;
      });
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
