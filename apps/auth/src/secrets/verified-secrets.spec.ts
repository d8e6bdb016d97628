import { VerifiedSecrets } from './verified-secrets';

describe(VerifiedSecrets.name, () => {
  let now: number;
  let sut: VerifiedSecrets;

  beforeEach(() => {
    now = 1_000_000;
    sut = new VerifiedSecrets({ ttlMs: 60_000, capacity: 3, now: () => now });
  });

  it('knows a secret verified against a hash, and nothing else', () => {
    sut.remember('$argon2id$first', 'the password');

    expect(sut.has('$argon2id$first', 'the password')).toBe(true);
    expect(sut.has('$argon2id$first', 'the passwor')).toBe(false);
    // a replaced password has another hash: its secret is not taken on trust any more
    expect(sut.has('$argon2id$second', 'the password')).toBe(false);
    // the boundary between hash and secret is part of the entry
    sut.remember('ab', 'c');
    expect(sut.has('a', 'bc')).toBe(false);
  });

  it('forgets a verification once it is older than its time to live', () => {
    sut.remember('hash', 'secret');
    now += 59_999;
    expect(sut.has('hash', 'secret')).toBe(true);
    now += 1;
    expect(sut.has('hash', 'secret')).toBe(false);
    expect(sut.size).toBe(0);
  });

  it('keeps at most its capacity, forgetting the oldest first', () => {
    for (const secret of ['one', 'two', 'three']) {
      sut.remember('hash', secret);
      now += 1;
    }
    // remembered again: now the newest
    sut.remember('hash', 'one');
    sut.remember('hash', 'four');

    expect(sut.size).toBe(3);
    expect(['one', 'two', 'three', 'four'].filter((secret) => sut.has('hash', secret))).toEqual([
      'one',
      'three',
      'four',
    ]);
  });
});
