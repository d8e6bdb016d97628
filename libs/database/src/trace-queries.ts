/**
 * Database work as spans, without touching the postgres.js client: `traceQueries` wraps a
 * pool so that each query run directly on it (`await sql\`…\``) is a `db.query` span and
 * each transaction (`sql.begin`) a `db.transaction` span, and a failure of either counts in
 * `meridian_database_errors_total`. A query is only traced when it is awaited, so the
 * fragments built to go inside other queries are left exactly as they are. Queries inside
 * a transaction show as the transaction's span.
 */
import { SpanKind, SpanStatusCode, inSpan, metrics, tracer } from '@meridian/telemetry';
import type { Sql } from './sql';

const maxStatementLength = 200;

export function traceQueries(sql: Sql): Sql {
  return new Proxy(sql, {
    apply(target, thisArg, args: unknown[]) {
      const query = Reflect.apply(target, thisArg, args) as unknown;
      if (!isTemplateCall(args) || !isThenable(query)) return query;
      const run = query.then.bind(query);
      query.then = (onFulfilled, onRejected) => {
        const span = tracer().startSpan('db.query', {
          kind: SpanKind.CLIENT,
          attributes: { 'db.system.name': 'postgresql' },
        });
        if (span.isRecording()) span.setAttribute('db.query.text', statementOf(args[0]));
        return run(
          (rows) => {
            span.end();
            return onFulfilled ? onFulfilled(rows) : rows;
          },
          (err: unknown) => {
            metrics().databaseErrors.add(1, { operation: 'query' });
            span.recordException(err instanceof Error ? err : String(err));
            span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
            if (onRejected) return onRejected(err);
            throw err;
          },
        );
      };
      return query;
    },
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'begin' || typeof value !== 'function') return value;
      const begin = value as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => traceTransaction(() => begin.apply(target, args));
    },
  });
}

/**
 * A transaction as a `db.transaction` span, its failure counted in
 * `meridian_database_errors_total`: `sql.begin` through the wrapper above, and
 * `beginPipelined`.
 */
export function traceTransaction<T>(transaction: () => Promise<T>): Promise<T> {
  return inSpan(
    'db.transaction',
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } },
    () =>
      transaction().catch((err: unknown) => {
        metrics().databaseErrors.add(1, { operation: 'transaction' });
        throw err;
      }),
  );
}

function isTemplateCall(args: unknown[]): args is [TemplateStringsArray, ...unknown[]] {
  return Array.isArray(args[0]) && 'raw' in (args[0] as object);
}

interface Thenable {
  then: (
    onFulfilled?: ((value: unknown) => unknown) | null,
    onRejected?: ((reason: unknown) => unknown) | null,
  ) => Promise<unknown>;
}

function isThenable(value: unknown): value is Thenable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function statementOf(strings: TemplateStringsArray): string {
  const text = strings.reduce((sql, part, index) => `${sql}$${index}${part}`).replace(/\s+/g, ' ');
  return text.trim().slice(0, maxStatementLength);
}
