import type { RegistryError } from '@meridian/contracts';
import type { AuthConfig } from '../config';
import type { LoginFailuresRepository, RecentFailures } from './login-failures.repository';
import { LoginThrottle, throttlePolicyOf } from './login-throttle';
import { type ThrottlePolicy, backoffWait, budgetWait } from './throttle-verdict';

const day = 86_400;
const policy: ThrottlePolicy = {
  pairLimit: 3,
  maxWaitSeconds: 300,
  addressLimit: 6,
  identityLimit: 5,
  memorySeconds: day,
  knownForSeconds: 30 * day,
};
const start = new Date('2026-11-23T12:00:00Z');

/** Failed and successful logins in memory, on a clock the test moves. */
class InMemoryLoginFailures implements LoginFailuresRepository {
  now = start;
  private readonly rows: Array<{ key: string; at: Date }> = [];
  private readonly successes = new Map<string, Date>();

  async recent(keys: readonly string[], windowSeconds: number): Promise<RecentFailures> {
    const since = this.now.getTime() - windowSeconds * 1000;
    const byKey = new Map(
      keys.map((key) => [
        key,
        this.rows.filter((row) => row.key === key && row.at.getTime() > since).map((row) => row.at),
      ]),
    );
    return { now: this.now, byKey };
  }

  async record(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.rows.push({ key, at: this.now });
  }

  async clear(key: string): Promise<void> {
    this.rows.splice(0, this.rows.length, ...this.rows.filter((row) => row.key !== key));
  }

  async recordSuccess(key: string): Promise<void> {
    this.successes.set(key, this.now);
  }

  async succeededWithin(key: string, seconds: number): Promise<boolean> {
    const at = this.successes.get(key);
    return at !== undefined && at.getTime() > this.now.getTime() - seconds * 1000;
  }

  advance(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }
}

const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

describe(backoffWait.name, () => {
  it('lets a pair below the limit try at once', () => {
    expect(backoffWait([at(0), at(1)], at(1), policy)).toBeUndefined();
  });

  it('doubles the wait after the latest failure with each failure past the limit', () => {
    const failures = [at(0), at(0), at(0)];
    expect(backoffWait(failures, at(0), policy)).toBe(1);
    expect(backoffWait([...failures, at(10)], at(10), policy)).toBe(2);
    expect(backoffWait([...failures, at(10), at(20)], at(20), policy)).toBe(4);
    expect(backoffWait([...failures, at(10), at(20), at(30)], at(31), policy)).toBe(7);
    expect(backoffWait([...failures, at(10), at(20), at(30)], at(38), policy)).toBeUndefined();
  });

  it('never waits longer than the cap, however many failures', () => {
    const failures = Array.from({ length: 200 }, (_, i) => at(i));
    expect(backoffWait(failures, at(199), policy)).toBe(300);
    expect(backoffWait(failures, at(499), policy)).toBeUndefined();
  });

  it('forgets failures older than the memory', () => {
    expect(backoffWait([at(0), at(1), at(2)], at(day + 2), policy)).toBeUndefined();
  });
});

describe(budgetWait.name, () => {
  it('refuses at the limit until the oldest failure that keeps it there ages out', () => {
    expect(budgetWait([at(0), at(10)], at(20), 3, 300)).toBeUndefined();
    expect(budgetWait([at(0), at(10), at(20)], at(30), 3, 300)).toBe(270);
    expect(budgetWait([at(0), at(10), at(20), at(25)], at(30), 3, 300)).toBe(280);
    expect(budgetWait([at(0), at(10), at(20)], at(301), 3, 300)).toBeUndefined();
  });
});

describe(throttlePolicyOf.name, () => {
  const config = (peers: string[]) =>
    ({
      peers,
      loginFailureLimit: 10,
      loginFailureWindowSeconds: 300,
      loginAddressFailureLimit: 100,
      loginIdentityFailureLimit: 100,
    }) as AuthConfig;

  it('gives each region its share of the limits, so the regions together stay within them', () => {
    expect(throttlePolicyOf(config([]))).toMatchObject({
      pairLimit: 10,
      addressLimit: 100,
      identityLimit: 100,
      maxWaitSeconds: 300,
    });
    expect(throttlePolicyOf(config(['eu-west']))).toMatchObject({
      pairLimit: 5,
      addressLimit: 50,
      identityLimit: 50,
    });
    expect(throttlePolicyOf(config(['eu-west', 'ap-south']))).toMatchObject({ pairLimit: 3 });
  });

  it('lets every region try at least once', () => {
    const regions = Array.from({ length: 11 }, (_, i) => `region-${i}`);
    expect(throttlePolicyOf(config(regions)).pairLimit).toBe(1);
  });
});

describe(LoginThrottle.name, () => {
  let failures: InMemoryLoginFailures;
  let sut: LoginThrottle;

  beforeEach(() => {
    failures = new InMemoryLoginFailures();
    sut = new LoginThrottle(failures, policy);
  });

  async function refusal(attempt: { username: string; clientAddr?: string }) {
    try {
      await sut.check(attempt);
      return undefined;
    } catch (error) {
      return error as RegistryError;
    }
  }

  async function failTimes(times: number, attempt: { username: string; clientAddr?: string }) {
    for (let i = 0; i < times; i++) await sut.failed(attempt);
  }

  it('backs off one identity from one address, doubling, with the seconds to wait', async () => {
    await failTimes(3, { username: 'ci', clientAddr: '10.0.0.1' });
    let error = await refusal({ username: 'ci', clientAddr: '10.0.0.1' });
    expect(error?.code).toBe('TOOMANYREQUESTS');
    expect(error?.detail).toEqual({ retryAfterSeconds: 1 });

    failures.advance(1);
    await sut.failed({ username: 'ci', clientAddr: '10.0.0.1' });
    error = await refusal({ username: 'ci', clientAddr: '10.0.0.1' });
    expect(error?.detail).toEqual({ retryAfterSeconds: 2 });
    failures.advance(2);
    expect(await refusal({ username: 'ci', clientAddr: '10.0.0.1' })).toBeUndefined();
  });

  it("does not lock the real user's address out when an attacker elsewhere guesses", async () => {
    await sut.succeeded({ username: 'ci', clientAddr: '10.0.0.1' });
    // an attacker from another address, well past the per-identity budget
    for (const addr of ['203.0.113.1', '203.0.113.2', '203.0.113.3'])
      await failTimes(3, { username: 'ci', clientAddr: addr });

    expect((await refusal({ username: 'ci', clientAddr: '203.0.113.1' }))?.code).toBe(
      'TOOMANYREQUESTS',
    );
    // a new address past the identity's budget: refused until failures age out of the memory
    const fresh = await refusal({ username: 'ci', clientAddr: '198.51.100.7' });
    expect(fresh?.code).toBe('TOOMANYREQUESTS');
    expect((fresh?.detail as { retryAfterSeconds: number }).retryAfterSeconds).toBe(day);
    // the address the identity logged in from is known: it still may try
    expect(await refusal({ username: 'ci', clientAddr: '10.0.0.1' })).toBeUndefined();
  });

  it('stops spraying from one address without blocking its known identities', async () => {
    await sut.succeeded({ username: 'builder', clientAddr: '10.0.0.1' });
    for (const username of ['a', 'b', 'c', 'd', 'e', 'f'])
      await sut.failed({ username, clientAddr: '10.0.0.1' });

    expect((await refusal({ username: 'g', clientAddr: '10.0.0.1' }))?.code).toBe(
      'TOOMANYREQUESTS',
    );
    expect(await refusal({ username: 'builder', clientAddr: '10.0.0.1' })).toBeUndefined();
    expect(await refusal({ username: 'g', clientAddr: '10.0.0.2' })).toBeUndefined();
    failures.advance(day);
    expect(await refusal({ username: 'g', clientAddr: '10.0.0.1' })).toBeUndefined();
  });

  it('a known pair still backs off on its own failures', async () => {
    await sut.succeeded({ username: 'ci', clientAddr: '10.0.0.1' });
    await failTimes(3, { username: 'ci', clientAddr: '10.0.0.1' });
    expect((await refusal({ username: 'ci', clientAddr: '10.0.0.1' }))?.code).toBe(
      'TOOMANYREQUESTS',
    );
  });

  it("forgets the pair's failures on success, not the address's or the identity's", async () => {
    await failTimes(3, { username: 'ci', clientAddr: '10.0.0.1' });
    failures.advance(1);
    await sut.succeeded({ username: 'ci', clientAddr: '10.0.0.1' });
    expect(await refusal({ username: 'ci', clientAddr: '10.0.0.1' })).toBeUndefined();

    await failTimes(2, { username: 'ci', clientAddr: '10.0.0.2' });
    // 5 failures of `ci` in the memory: past the identity's budget for unknown addresses
    expect((await refusal({ username: 'ci', clientAddr: '10.0.0.3' }))?.code).toBe(
      'TOOMANYREQUESTS',
    );
  });

  it('counts logins without an address under one empty address', async () => {
    await failTimes(3, { username: 'ci' });
    expect((await refusal({ username: 'ci' }))?.code).toBe('TOOMANYREQUESTS');
    expect(await refusal({ username: 'ci', clientAddr: '10.0.0.1' })).toBeUndefined();
  });
});
