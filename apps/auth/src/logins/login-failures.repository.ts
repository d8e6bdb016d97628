/**
 * Failed and successful logins in SQL, so every replica of the auth service counts the same
 * ones. Times are the database's (`now()`), one clock for all replicas. Both tables prune
 * themselves as rows come in: a failure older than its memory, a success older than the time
 * it keeps its address known.
 */
import { Injectable } from '@nestjs/common';
import { InjectSql, type Sql } from '@meridian/database';

export interface RecentFailures {
  now: Date;
  byKey: Map<string, Date[]>;
}

export abstract class LoginFailuresRepository {
  /** The failures of each key within the last `windowSeconds`. */
  abstract recent(keys: readonly string[], windowSeconds: number): Promise<RecentFailures>;
  /** Records one failure for each key; forgets failures older than `windowSeconds`. */
  abstract record(keys: readonly string[], windowSeconds: number): Promise<void>;
  abstract clear(key: string): Promise<void>;
  /** Records a successful login of the key; forgets successes older than `forSeconds`. */
  abstract recordSuccess(key: string, forSeconds: number): Promise<void>;
  /** Whether the key logged in successfully within the last `seconds`. */
  abstract succeededWithin(key: string, seconds: number): Promise<boolean>;
}

@Injectable()
export class SqlLoginFailuresRepository implements LoginFailuresRepository {
  constructor(@InjectSql() private readonly sql: Sql) {}

  async recent(keys: readonly string[], windowSeconds: number): Promise<RecentFailures> {
    const [clock] = await this.sql<{ now: Date }[]>`select now() as now`;
    const rows = await this.sql<{ key: string; failedAt: Date }[]>`
      select key, failed_at as "failedAt" from auth.login_failures
      where key = any(${keys as string[]}::text[])
        and failed_at > now() - make_interval(secs => ${windowSeconds})`;
    const byKey = new Map<string, Date[]>(keys.map((key) => [key, []]));
    for (const row of rows) byKey.get(row.key)?.push(row.failedAt);
    return { now: clock!.now, byKey };
  }

  async record(keys: readonly string[], windowSeconds: number): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`
        insert into auth.login_failures (key)
        select unnest(${keys as string[]}::text[])`;
      await tx`
        delete from auth.login_failures
        where failed_at < now() - make_interval(secs => ${windowSeconds})`;
    });
  }

  async clear(key: string): Promise<void> {
    await this.sql`delete from auth.login_failures where key = ${key}`;
  }

  /**
   * Every token request logs in, so this is on the hot path: a pair's time is renewed at
   * most hourly (nothing needs it closer for a memory of weeks), and old rows are pruned
   * only when a row was written.
   */
  async recordSuccess(key: string, forSeconds: number): Promise<void> {
    const written = await this.sql`
      insert into auth.login_successes (key) values (${key})
      on conflict (key) do update set succeeded_at = now()
      where auth.login_successes.succeeded_at < now() - interval '1 hour'`;
    if (written.count === 0) return;
    await this.sql`
      delete from auth.login_successes
      where succeeded_at < now() - make_interval(secs => ${forSeconds})`;
  }

  async succeededWithin(key: string, seconds: number): Promise<boolean> {
    const rows = await this.sql`
      select 1 from auth.login_successes
      where key = ${key} and succeeded_at > now() - make_interval(secs => ${seconds})`;
    return rows.length > 0;
  }
}
