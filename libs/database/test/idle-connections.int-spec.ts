/**
 * A service's pool gives back what a burst opened: on a real Postgres, connections a burst
 * opened are closed once they have been unused for the idle timeout, and the pool opens
 * one again for the next query.
 */
import { type TestDatabase, createTestDatabase } from '@meridian/testing';
import postgres from 'postgres';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Sql, createSql, defaultIdleTimeoutSeconds } from '../src';

describe('a pool after a burst', () => {
  const applicationName = `meridian-idle-${process.pid}`;
  let database: TestDatabase;
  let observer: postgres.Sql;
  let sql: Sql;

  beforeAll(async () => {
    database = await createTestDatabase('idle');
    observer = postgres(database.url, { max: 1, onnotice: () => undefined });
    sql = createSql(database.url, { max: 4, applicationName, idleTimeoutSeconds: 1 });
  });

  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await observer?.end({ timeout: 5 });
    await database?.drop();
  });

  const backends = async () =>
    (
      await observer<{ count: number }[]>`
        select count(*)::int as count from pg_stat_activity
        where application_name = ${applicationName}`
    )[0]!.count;

  it('closes the connections the burst opened once they sat unused, and opens one when asked', async () => {
    await Promise.all(Array.from({ length: 4 }, () => sql`select pg_sleep(0.2)`));
    expect(await backends()).toBe(4);

    await sleep(2_000);
    expect(await backends()).toBe(0);

    expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    expect(await backends()).toBe(1);
  });

  it('closes unused connections after the default when a service sets no timeout', async () => {
    const unset = createSql(database.url);
    try {
      expect(defaultIdleTimeoutSeconds).toBeGreaterThan(0);
      expect(defaultIdleTimeoutSeconds).toBeLessThanOrEqual(60);
      expect(unset.options.idle_timeout).toBe(defaultIdleTimeoutSeconds);
    } finally {
      await unset.end({ timeout: 5 });
    }
  });
});
