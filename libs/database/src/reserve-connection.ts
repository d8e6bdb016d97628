/**
 * `sql.reserve()` that cannot be lost. postgres.js 3.4 queues a reserve that finds no idle
 * connection, and when a pooled connection closes while it waits (its idle timeout, its
 * maximum lifetime, a server that ended the session) the closing connection takes the reserve
 * off the queue to reconnect with and then drops it: the promise never settles
 * (porsager/postgres#1195, open as of 3.4.10). Whatever waited on it waited forever: a blob's
 * commit, a replicated link, a service's outbox relay.
 *
 * So a reserve still unanswered after a second is asked for again, and again, until one is
 * answered: the first connection handed over is the caller's, any later one goes straight
 * back to the pool. Reserving and releasing are the pool's bookkeeping, no round trip to the
 * server, so a repeated ask costs nothing but its place in the queue.
 */
import type { ReservedSql } from 'postgres';
import type { Sql } from './sql';

/** Longer than a reserve waits on a pool that is only busy; short enough to go unnoticed. */
const askAgainMs = 1_000;

export function reserveConnection(sql: Sql): Promise<ReservedSql> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
    };
    const ask = () => {
      // not what keeps a process alive: a pool that has ended hands out no connection
      timer = setTimeout(ask, askAgainMs).unref();
      sql.reserve().then(
        (reserved) => {
          if (settled) return reserved.release();
          settle();
          resolve(reserved);
        },
        (error: unknown) => {
          if (settled) return;
          settle();
          reject(error);
        },
      );
    };
    ask();
  });
}
