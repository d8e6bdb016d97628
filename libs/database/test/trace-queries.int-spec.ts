/**
 * Queries and transactions on a real Postgres as spans: one per awaited query, none for
 * the fragments composed into it, one per transaction, and failures recorded as errors
 * and counted in the metrics.
 */
import { metrics, startTracing } from '@meridian/telemetry';
import { type TestDatabase, createTestDatabase } from '@meridian/testing';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Sql, createSql } from '../src';

describe('database spans', () => {
  const spans = new InMemorySpanExporter();
  let tracing: ReturnType<typeof startTracing>;
  let database: TestDatabase;
  let sql: Sql;

  beforeAll(async () => {
    tracing = startTracing({
      service: 'manifest',
      region: 'us-east',
      spanProcessors: [new SimpleSpanProcessor(spans)],
    });
    database = await createTestDatabase('telemetry');
    sql = createSql(database.url, { max: 2 });
  });

  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await database?.drop();
    await tracing?.shutdown();
  });

  beforeEach(() => spans.reset());

  it('is one span per awaited query, fragments included in it', async () => {
    const where = sql`where relname = ${'pg_class'}`;
    const rows = await sql`select relname from ${sql('pg_class')} ${where}`;

    expect(rows).toEqual([{ relname: 'pg_class' }]);
    const finished = spans.getFinishedSpans();
    expect(finished.map((span) => span.name)).toEqual(['db.query']);
    expect(finished[0]?.attributes['db.query.text']).toBe('select relname from $1 $2');
  });

  it('is one span per transaction', async () => {
    const [row] = await sql.begin(async (tx) => {
      await tx`select 1`;
      return tx`select 2 as two`;
    });

    expect(row).toEqual({ two: 2 });
    expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['db.transaction']);
  });

  it('records a failed query as an error and counts it', async () => {
    await expect(sql`select * from no_such_table`).rejects.toThrow(/no_such_table/);

    const [failed] = spans.getFinishedSpans();
    expect(failed?.status.code).toBe(2);
    expect(await metrics().renderPrometheus()).toMatch(
      /^meridian_database_errors_total\{operation="query"\} 1$/m,
    );
  });
});
