import { type AuthKeys, AuthKeysCache } from './auth-keys.cache';

function keysNumbered(generation: number): AuthKeys {
  return { issuer: 'meridian-auth', keys: [], anonymousPull: generation % 2 === 1 };
}

/** An auth service that answers with a new generation each time, and can fail on demand. */
function fakeAuthService() {
  let generation = 0;
  let failing = false;
  const service = {
    calls: 0,
    fail(value: boolean) {
      failing = value;
    },
    fetch: async (): Promise<AuthKeys> => {
      service.calls += 1;
      if (failing) throw new Error('auth service unavailable');
      generation += 1;
      return keysNumbered(generation);
    },
  };
  return service;
}

describe(AuthKeysCache.name, () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('fetches once and serves the copy within its ttl', async () => {
    const auth = fakeAuthService();
    const sut = new AuthKeysCache({ fetch: auth.fetch, ttlMs: 5_000, now: clock });

    const first = await sut.current();
    now += 4_999;
    const second = await sut.current();

    expect(second).toBe(first);
    expect(auth.calls).toBe(1);
  });

  it('shares one fetch among concurrent first requests', async () => {
    const auth = fakeAuthService();
    const sut = new AuthKeysCache({ fetch: auth.fetch, now: clock });

    await Promise.all([sut.current(), sut.current(), sut.current()]);

    expect(auth.calls).toBe(1);
  });

  it('serves the stale copy past its ttl while a fresh one is fetched', async () => {
    const auth = fakeAuthService();
    const sut = new AuthKeysCache({ fetch: auth.fetch, ttlMs: 5_000, now: clock });
    const first = await sut.current();

    now += 5_000;
    const stale = await sut.current();
    await Promise.resolve();
    const fresh = await sut.current();

    expect(stale).toBe(first);
    expect(fresh.anonymousPull).toBe(false);
    expect(auth.calls).toBe(2);
  });

  it('keeps serving the old copy when a refresh fails', async () => {
    const auth = fakeAuthService();
    const failures: unknown[] = [];
    const sut = new AuthKeysCache({
      fetch: auth.fetch,
      ttlMs: 5_000,
      now: clock,
      onRefreshFailed: (error) => failures.push(error),
    });
    const first = await sut.current();
    auth.fail(true);

    now += 6_000;
    await sut.current();
    await new Promise((resolve) => setImmediate(resolve));

    expect(await sut.current()).toBe(first);
    expect(failures).toHaveLength(1);
  });

  it('refetches for an unknown key at most once per interval', async () => {
    const auth = fakeAuthService();
    const sut = new AuthKeysCache({ fetch: auth.fetch, refetchIntervalMs: 1_000, now: clock });
    await sut.current();

    now += 1_000;
    await sut.refetch();
    await sut.refetch();
    now += 500;
    await sut.refetch();

    expect(auth.calls).toBe(2);
  });

  it('fetches again for an unknown key even while a refresh is under way', async () => {
    const auth = fakeAuthService();
    const sut = new AuthKeysCache({ fetch: auth.fetch, ttlMs: 5_000, now: clock });
    await sut.current();
    now += 5_000;
    await sut.current();

    const fresh = await sut.refetch();

    expect(auth.calls).toBe(3);
    expect(fresh.anonymousPull).toBe(true);
  });

  it('fails the first request when the auth service cannot be reached', async () => {
    const auth = fakeAuthService();
    auth.fail(true);
    const sut = new AuthKeysCache({ fetch: auth.fetch, now: clock });

    await expect(sut.current()).rejects.toThrow('auth service unavailable');
  });
});
