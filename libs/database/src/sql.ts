import postgres from 'postgres';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

export interface SqlOptions {
  /** pool size */
  max?: number;
  /** the application name Postgres shows in pg_stat_activity */
  applicationName?: string;
}

/** One pool per process. Notices are dropped: they are noise ("schema already exists"). */
export function createSql(url: string, options: SqlOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName ?? 'meridian' },
    transform: { undefined: null },
  });
}
