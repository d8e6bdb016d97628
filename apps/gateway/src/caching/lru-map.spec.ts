import { LruMap } from './lru-map';

describe(LruMap.name, () => {
  it('forgets the least recently used entry beyond maxEntries', () => {
    const sut = new LruMap<string, number>({ maxEntries: 2 });
    sut.set('a', 1);
    sut.set('b', 2);
    sut.get('a');
    sut.set('c', 3);

    expect(sut.get('a')).toBe(1);
    expect(sut.get('b')).toBeUndefined();
    expect(sut.get('c')).toBe(3);
  });

  it('keeps the total weight within maxWeight', () => {
    const sut = new LruMap<string, string>({
      maxEntries: 100,
      maxWeight: 10,
      weigh: (value) => value.length,
    });
    sut.set('a', 'xxxx');
    sut.set('b', 'yyyy');
    sut.set('c', 'zzzz');

    expect(sut.get('a')).toBeUndefined();
    expect(sut.size).toBe(2);
    expect(sut.weight).toBe(8);
  });

  it('does not take an entry heavier than the whole budget', () => {
    const sut = new LruMap<string, string>({
      maxEntries: 100,
      maxWeight: 3,
      weigh: (value) => value.length,
    });
    sut.set('small', 'ab');
    sut.set('big', 'abcd');

    expect(sut.get('big')).toBeUndefined();
    expect(sut.get('small')).toBe('ab');
  });

  it('replaces an entry and its weight', () => {
    const sut = new LruMap<string, string>({
      maxEntries: 10,
      maxWeight: 100,
      weigh: (value) => value.length,
    });
    sut.set('a', 'xxxx');
    sut.set('a', 'xx');

    expect(sut.weight).toBe(2);
    expect(sut.size).toBe(1);
  });

  it('hands an entry over with take', () => {
    const sut = new LruMap<string, number>({ maxEntries: 10 });
    sut.set('a', 1);

    expect(sut.take('a')).toBe(1);
    expect(sut.take('a')).toBeUndefined();
    expect(sut.size).toBe(0);
  });

  it('holds nothing with maxEntries 0', () => {
    const sut = new LruMap<string, number>({ maxEntries: 0 });
    sut.set('a', 1);

    expect(sut.get('a')).toBeUndefined();
  });
});
