import type { AuthChanged } from '@meridian/contracts';
import { InMemoryAuthRecordsRepository } from '../../test/fakes/in-memory-auth-records.repository';
import { ApplyAuthChangeService, settle } from './apply-auth-change.service';

const older = '001763900000000.000000.eu-west';
const newer = '001763900000001.000000.eu-west';
const sameTimeOtherRegion = '001763900000001.000000.us-east';

function change(hlc: string, record: AuthChanged['record'], id = 'team-a'): AuthChanged {
  return {
    eventId: '0b7e6c8a-2f4b-4a77-9c55-5d1f0e0f6f10',
    originRegion: 'eu-west',
    hlc,
    occurredAt: '2026-11-23T12:00:00.000Z',
    kind: 'scope-map',
    id,
    record,
  };
}

function scopeMap(repository: string) {
  return {
    name: 'team-a',
    rules: [{ repository, actions: ['content/read'] }],
    createdAt: '2026-11-23T12:00:00.000Z',
    updatedAt: '2026-11-23T12:00:00.000Z',
  };
}

describe(settle.name, () => {
  it.each([
    [undefined, older, 'applied'],
    [older, newer, 'applied'],
    [newer, older, 'superseded'],
    [newer, newer, 'superseded'],
    [newer, sameTimeOtherRegion, 'applied'],
  ] as const)('stored %s, incoming %s: %s', (stored, incoming, outcome) => {
    expect(settle(stored, incoming)).toBe(outcome);
  });
});

describe(ApplyAuthChangeService.name, () => {
  let records: InMemoryAuthRecordsRepository;
  let sut: ApplyAuthChangeService;

  beforeEach(() => {
    records = new InMemoryAuthRecordsRepository();
    sut = new ApplyAuthChangeService(records);
  });

  it('keeps the newer of two writes whatever order they arrive in', async () => {
    expect(await sut.apply(change(newer, scopeMap('team-a/*')))).toBe('applied');
    expect(await sut.apply(change(older, scopeMap('old/*')))).toBe('superseded');
    expect((await records.get('scope-map', 'team-a'))?.rules[0]?.repository).toBe('team-a/*');
  });

  it('keeps a deletion against an older write that arrives late', async () => {
    expect(await sut.apply(change(newer, null))).toBe('applied');
    expect(await sut.apply(change(older, scopeMap('team-a/*')))).toBe('superseded');
    expect(await records.get('scope-map', 'team-a')).toBeUndefined();
  });

  it('changes nothing when the same event comes twice', async () => {
    await sut.apply(change(older, scopeMap('team-a/*')));
    expect(await sut.apply(change(older, scopeMap('team-a/*')))).toBe('superseded');
  });

  it('announces nothing of what it applies', async () => {
    await sut.apply(change(older, scopeMap('team-a/*')));
    expect(records.events).toEqual([]);
  });

  it('refuses a record that does not fit its kind, and stores nothing', async () => {
    await expect(sut.apply(change(older, { name: 'team-a', rules: 'all' }))).rejects.toMatchObject({
      code: 'REQUEST_INVALID',
    });
    expect(records.rows.size).toBe(0);
  });
});
