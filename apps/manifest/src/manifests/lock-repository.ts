/**
 * One write at a time per repository: local pushes and deletes and the events replication
 * applies each take this lock first, in their transaction, until commit. A write then stamps
 * its clock reading after every write it could conflict with has committed, and reads rows
 * and tombstones that no concurrent write changes under it.
 *
 * A transaction-scoped advisory lock in the two-key space (the migration runner's lock uses
 * the one-key space), keyed by the repository name's hash: a collision only serialises two
 * repositories' writes, it never lets two writes of one repository interleave.
 */
import type { TransactionSql } from '@meridian/database';

export async function lockRepository(tx: TransactionSql, repository: string): Promise<void> {
  await tx`
    select pg_advisory_xact_lock(hashtext('meridian.manifest.repository'), hashtext(${repository}))`;
}
