import type { StorageDriver } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import { type PeerChange, type PeerLink, PeerSet } from './peer-set';

function link(region: string, overrides: Partial<PeerLink> = {}): PeerLink {
  return {
    region,
    natsDomain: region,
    storage: { type: 'filesystem', path: `/stores/${region}` },
    ...overrides,
  };
}

describe(PeerSet.name, () => {
  let opened: string[];
  let refuse: Set<string>;
  let changes: PeerChange[];
  let sut: PeerSet;

  beforeEach(() => {
    opened = [];
    refuse = new Set();
    changes = [];
    sut = new PeerSet(
      'us-east',
      async ({ region, storage }) => {
        if (refuse.has(region)) throw new Error(`connect ECONNREFUSED for ${region}`);
        opened.push(`${region} ${storage.type === 'filesystem' ? storage.path : ''}`);
        return { region } as unknown as StorageDriver;
      },
      createLogger({ service: 'replication', region: 'us-east', level: 'silent' }),
    );
    sut.onChange(async (change) => {
      changes.push(change);
    });
  });

  it('tells its listeners who joined, left or changed, and opens only what is new', async () => {
    await sut.update([link('eu-west'), link('ap-south')]);
    expect(sut.regions).toEqual(['eu-west', 'ap-south']);
    await sut.update([link('eu-west'), link('ap-south', { natsDomain: 'south' })]);
    await sut.update([link('ap-south', { natsDomain: 'south' })]);
    expect(changes).toEqual([
      { added: ['eu-west', 'ap-south'], removed: [], changed: [] },
      { added: [], removed: [], changed: ['ap-south'] },
      { added: [], removed: ['eu-west'], changed: [] },
    ]);
    expect(opened).toEqual([
      'eu-west /stores/eu-west',
      'ap-south /stores/ap-south',
      'ap-south /stores/ap-south',
    ]);
    expect(sut.natsDomain('ap-south')).toBe('south');
    expect(sut.natsDomain('eu-west')).toBe('eu-west');
  });

  it('says nothing when nothing changed, and never counts itself as a peer', async () => {
    await sut.update([link('us-east'), link('eu-west')]);
    await sut.update([link('eu-west'), link('us-east')]);
    expect(changes).toHaveLength(1);
    expect(sut.regions).toEqual(['eu-west']);
  });

  it('keeps a peer whose store does not open, its copies failing with the reason until it opens', async () => {
    refuse.add('ap-south');
    await sut.update([link('eu-west'), link('ap-south')]);
    expect(sut.regions).toEqual(['eu-west', 'ap-south']);
    expect(sut.storeError('ap-south')).toBe('connect ECONNREFUSED for ap-south');
    expect(() => sut.store('ap-south')).toThrow(
      expect.objectContaining({
        code: 'UNAVAILABLE',
        message: expect.stringContaining('ECONNREFUSED'),
      }),
    );
    expect(sut.store('eu-west')).toBeDefined();
    refuse.clear();
    await sut.reopen();
    expect(sut.storeError('ap-south')).toBeUndefined();
    expect(sut.store('ap-south')).toBeDefined();
  });

  it('applies changes one after the other, each listener seeing its own', async () => {
    await Promise.all([sut.update([link('eu-west')]), sut.update([])]);
    expect(changes).toEqual([
      { added: ['eu-west'], removed: [], changed: [] },
      { added: [], removed: ['eu-west'], changed: [] },
    ]);
    expect(() => sut.store('eu-west')).toThrow(/not a replication/);
  });
});
