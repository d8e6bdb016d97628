/**
 * How replication sets merge: per region, the record with the newest clock reading wins (the
 * reading's region breaks ties, as for every replicated write), a tombstone like any record.
 * So regions that exchanged their sets hold the same one, whatever order the changes came in.
 */
import { type ReplicationRecord, compareHlc } from '@meridian/contracts';

/** Of `theirs`, the records newer than this region's of the same region (or unknown here). */
export function newerRecords(
  mine: readonly ReplicationRecord[],
  theirs: readonly ReplicationRecord[],
): ReplicationRecord[] {
  const held = new Map(mine.map((record) => [record.region, record.clock]));
  const newest = new Map<string, ReplicationRecord>();
  for (const record of theirs) {
    const known = newest.get(record.region)?.clock ?? held.get(record.region);
    if (known === undefined || compareHlc(record.clock, known) > 0)
      newest.set(record.region, record);
  }
  return [...newest.values()];
}

/** The regions this one consumes: the live ones but itself; none once its own is a tombstone. */
export function peerRecords(
  region: string,
  records: readonly ReplicationRecord[],
): ReplicationRecord[] {
  if (records.some((record) => record.region === region && record.deleted)) return [];
  return records.filter((record) => record.region !== region && !record.deleted);
}
