import type { RegistryError } from '@meridian/contracts';
import type { LoginFailuresRepository, RecentFailures } from './login-failures.repository';
import { LoginThrottle } from './login-throttle';
import { throttleVerdict } from './throttle-verdict';

const policy = { limit: 3, windowSeconds: 300 };
const start = new Date('2026-11-23T12:00:00Z');

/** Failures in memory, on a clock the test moves. */
class InMemoryLoginFailures implements LoginFailuresRepository {
  now = start;
  private readonly rows: Array<{ key: string; at: Date }> = [];

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

  advance(seconds: number): void {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }
}

describe(throttleVerdict.name, () => {
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

  it('allows logins below the limit', () => {
    expect(throttleVerdict([at(0), at(1)], at(2), policy)).toBeUndefined();
  });

  it('refuses at the limit until the oldest failure that keeps it there ages out', () => {
    expect(throttleVerdict([at(0), at(10), at(20)], at(30), policy)).toBe(270);
    expect(throttleVerdict([at(0), at(10), at(20), at(25)], at(30), policy)).toBe(280);
  });

  it('ignores failures older than the window', () => {
    expect(throttleVerdict([at(0), at(10), at(20)], at(301), policy)).toBeUndefined();
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

  it('refuses an identity past the bound from any address, with the seconds to wait', async () => {
    for (const clientAddr of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
      await sut.failed({ username: 'ci', clientAddr });
    failures.advance(60);
    const error = await refusal({ username: 'ci', clientAddr: '10.0.0.9' });
    expect(error?.code).toBe('TOOMANYREQUESTS');
    expect(error?.detail).toEqual({ retryAfterSeconds: 240 });
    expect(await refusal({ username: 'other', clientAddr: '10.0.0.9' })).toBeUndefined();
  });

  it('refuses an address past the bound whatever identity it tries', async () => {
    for (const username of ['a', 'b', 'c']) await sut.failed({ username, clientAddr: '10.0.0.1' });
    expect((await refusal({ username: 'd', clientAddr: '10.0.0.1' }))?.code).toBe(
      'TOOMANYREQUESTS',
    );
    expect(await refusal({ username: 'd', clientAddr: '10.0.0.2' })).toBeUndefined();
  });

  it('lets the identity in again once the window has passed', async () => {
    for (let i = 0; i < 3; i++) await sut.failed({ username: 'ci' });
    failures.advance(301);
    expect(await refusal({ username: 'ci' })).toBeUndefined();
  });

  it("forgets an identity's failures on success, but not its address's", async () => {
    for (let i = 0; i < 2; i++) await sut.failed({ username: 'ci', clientAddr: '10.0.0.1' });
    await sut.succeeded({ username: 'ci', clientAddr: '10.0.0.1' });
    await sut.failed({ username: 'ci', clientAddr: '10.0.0.1' });
    expect(await refusal({ username: 'ci', clientAddr: '10.0.0.2' })).toBeUndefined();
    expect((await refusal({ username: 'x', clientAddr: '10.0.0.1' }))?.code).toBe(
      'TOOMANYREQUESTS',
    );
  });
});
