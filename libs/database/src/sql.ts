import postgres from 'postgres';
import { traceQueries } from './trace-queries';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

/**
 * How long a pooled connection may sit unused before it is closed. A burst (a start, a run of
 * pushes) opens up to the pool's size; without a limit those connections, and the Postgres
 * backend behind each, stay for the life of the process: the twelve services with a database
 * in the two-region default held 50 at idle, each backend a process of its own. A query after
 * a quiet spell opens a connection again (a few milliseconds, once). The outbox's LISTEN
 * connection is not pooled and stays open.
 */
export const defaultIdleTimeoutSeconds = 30;

export interface SqlOptions {
  /** pool size */
  max?: number;
  /** the application name Postgres shows in pg_stat_activity */
  applicationName?: string;
  /** seconds an unused pooled connection stays open; `defaultIdleTimeoutSeconds` when unset */
  idleTimeoutSeconds?: number;
}

/**
 * One pool per process. Notices are dropped: they are noise ("schema already exists").
 * Queries and transactions are spans (trace-queries.ts).
 */
export function createSql(url: string, options: SqlOptions = {}): Sql {
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: options.idleTimeoutSeconds ?? defaultIdleTimeoutSeconds,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName ?? 'meridian' },
    transform: { undefined: null },
  });
  return traceQueries(sql);
}
