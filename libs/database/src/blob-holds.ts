/**
 * The one lock garbage collection and every user of a blob agree on: a transaction-scoped
 * advisory lock per blob digest in the region's database, in the two-key space (first key:
 * this lock's name, second: the digest's hash; a collision only serialises two digests).
 *
 * - Whatever relies on a blob staying — a manifest push committing a reference to it, an
 *   upload or a link recording it, a mount — holds it shared until its transaction commits,
 *   and checks the blob after taking it.
 * - Garbage collection holds it exclusive (trying, never waiting) while it decides, in a
 *   fresh statement, that nothing references the blob and removes links or dooms it; and
 *   again while it deletes a doomed blob's bytes.
 *
 * So either the user's check runs after the collector committed (and finds the blob gone:
 * the push is refused, the upload records it anew), or the collector's decision runs after
 * the user committed (and finds the reference or the link). docs/architecture.md, "Garbage
 * collection", gives the whole argument.
 */
import type { TransactionSql } from './sql';

const lockName = 'meridian.blob.digest';

/** Holds every digest shared until the transaction ends (in digest order: no deadlock). */
export async function holdBlobsShared(tx: TransactionSql, digests: string[]): Promise<void> {
  if (digests.length === 0) return;
  await tx`
    select pg_advisory_xact_lock_shared(hashtext(${lockName}), hashtext(d))
    from (select distinct unnest(${digests}::text[]) as d order by 1) held`;
}

/** Tries to hold each digest exclusively; returns the digests held (the others are busy). */
export async function tryHoldBlobsExclusive(
  tx: TransactionSql,
  digests: string[],
): Promise<Set<string>> {
  if (digests.length === 0) return new Set();
  const rows = await tx<{ digest: string }[]>`
    select d as digest
    from (select distinct unnest(${digests}::text[]) as d order by 1) wanted
    where pg_try_advisory_xact_lock(hashtext(${lockName}), hashtext(d))`;
  return new Set(rows.map((row) => row.digest));
}
