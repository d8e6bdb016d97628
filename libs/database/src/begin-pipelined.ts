/**
 * A transaction in fewer round trips than `sql.begin`: BEGIN goes out with the transaction's
 * first statement, and COMMIT with its last when `work` ends with `commitWith(statement)`.
 * postgres.js writes the queries of one tick to the socket together and Postgres answers them
 * in order, so a transaction of two statements is two round trips instead of four. On the
 * two-core machines Meridian is measured on, each round trip is a wakeup of a Postgres backend
 * and of the service, and the busiest paths (a blob's commit, the outbox relay) are a few
 * statements each (docs/benchmarks.md).
 *
 * Otherwise it is `sql.begin`: the connection is the transaction's alone until it ends, a
 * `db.transaction` span covers it, and a failure anywhere rolls it back and is raised. A
 * statement that fails in front of a pipelined COMMIT aborts the transaction, and Postgres
 * answers that COMMIT with a rollback.
 */
import { reserveConnection } from './reserve-connection';
import type { Sql, TransactionSql } from './sql';
import { traceTransaction } from './trace-queries';

/** Sends COMMIT right behind `last` and resolves with `last`'s rows once both are answered. */
export type CommitWith = <R>(last: PromiseLike<R>) => Promise<R>;

export function beginPipelined<T>(
  sql: Sql,
  work: (tx: TransactionSql, commitWith: CommitWith) => Promise<T>,
): Promise<T> {
  return traceTransaction(async () => {
    const reserved = await reserveConnection(sql);
    // A reserved connection in a transaction is what `sql.begin` hands its callback, but
    // for savepoints, which nothing here uses.
    const tx = reserved as unknown as TransactionSql;
    let committing = false;
    const commitWith: CommitWith = async (last) => {
      committing = true;
      const [rows, committed] = await Promise.allSettled([last, reserved`commit`]);
      if (rows.status === 'rejected') throw rows.reason;
      if (committed.status === 'rejected') throw committed.reason;
      return rows.value;
    };
    try {
      // executed now, so it is queued ahead of the first statement `work` makes in this tick;
      // `work` is let finish before anything else is sent on the connection
      const [begun, done] = await Promise.allSettled([
        reserved`begin`.execute(),
        work(tx, commitWith),
      ]);
      if (begun.status === 'rejected') throw begun.reason;
      if (done.status === 'rejected') throw done.reason;
      if (!committing) await reserved`commit`;
      return done.value;
    } catch (err) {
      // after a pipelined COMMIT the transaction is over either way
      if (!committing) await reserved`rollback`.catch(() => undefined);
      throw err;
    } finally {
      reserved.release();
    }
  });
}
