import postgres from 'postgres';
import { traceQueries } from './trace-queries';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

export interface SqlOptions {
  /** pool size */
  max?: number;
  /** the application name Postgres shows in pg_stat_activity */
  applicationName?: string;
}

/**
 * One pool per process. Notices are dropped: they are noise ("schema already exists").
 * Queries and transactions are spans (trace-queries.ts).
 */
export function createSql(url: string, options: SqlOptions = {}): Sql {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName ?? 'meridian' },
    transform: { undefined: null },
  });
  return traceQueries(sql);
}
