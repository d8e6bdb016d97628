import { type ReplicationRecord, formatHlc } from '@meridian/contracts';
import { newerRecords, peerRecords } from './merge-replications';

function record(
  region: string,
  wallMs: number,
  overrides: Partial<ReplicationRecord> & { by?: string } = {},
): ReplicationRecord {
  const { by = 'us-east', ...rest } = overrides;
  return {
    region,
    natsDomain: region,
    storage: { type: 'filesystem', path: `/stores/${region}` },
    clock: formatHlc({ wallMs, counter: 0, region: by }),
    deleted: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...rest,
  };
}

describe(newerRecords.name, () => {
  it('takes a region this one does not know', () => {
    const theirs = [record('ap-south', 5)];
    expect(newerRecords([record('us-east', 1)], theirs)).toEqual(theirs);
  });

  it('takes a newer record and keeps this region’s newer one', () => {
    const mine = [record('ap-south', 5), record('eu-west', 9)];
    const newer = record('ap-south', 6, { natsDomain: 'south' });
    expect(newerRecords(mine, [newer, record('eu-west', 8)])).toEqual([newer]);
  });

  it('ignores the same record sent back', () => {
    const mine = [record('ap-south', 5)];
    expect(newerRecords(mine, [record('ap-south', 5)])).toEqual([]);
  });

  it('lets a newer tombstone win over a live record, and a newer live record over a tombstone', () => {
    const tombstone = record('ap-south', 7, { deleted: true });
    expect(newerRecords([record('ap-south', 5)], [tombstone])).toEqual([tombstone]);
    const back = record('ap-south', 8);
    expect(newerRecords([tombstone], [back])).toEqual([back]);
  });

  it('breaks a tie of wall clocks by the region that wrote it', () => {
    const mine = [record('ap-south', 5, { by: 'eu-west' })];
    const theirs = record('ap-south', 5, { by: 'us-east' });
    expect(newerRecords(mine, [theirs])).toEqual([theirs]);
    expect(newerRecords([theirs], mine)).toEqual([]);
  });

  it('keeps the newest of one region sent twice', () => {
    const newest = record('ap-south', 9);
    expect(newerRecords([], [record('ap-south', 3), newest, record('ap-south', 4)])).toEqual([
      newest,
    ]);
  });
});

describe(peerRecords.name, () => {
  it('is every live region but this one', () => {
    const records = [
      record('us-east', 1),
      record('eu-west', 1),
      record('ap-south', 2, { deleted: true }),
    ];
    expect(peerRecords('us-east', records).map((peer) => peer.region)).toEqual(['eu-west']);
  });

  it('is nothing once this region’s own record is a tombstone: it is standalone again', () => {
    const records = [record('us-east', 1), record('ap-south', 2, { deleted: true })];
    expect(peerRecords('ap-south', records)).toEqual([]);
  });
});
