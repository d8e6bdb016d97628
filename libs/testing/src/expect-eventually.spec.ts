import { expectEventually } from './expect-eventually';

describe(expectEventually.name, () => {
  it('retries until the assertion passes and returns its value', async () => {
    let calls = 0;
    const sut = expectEventually(() => {
      calls++;
      if (calls < 3) throw new Error('not yet');
      return 'done';
    });
    await expect(sut).resolves.toBe('done');
    expect(calls).toBe(3);
  });

  it('awaits asynchronous assertions', async () => {
    let ready = false;
    setTimeout(() => (ready = true), 30);
    await expect(
      expectEventually(async () => {
        await Promise.resolve();
        expect(ready).toBe(true);
      }),
    ).resolves.toBeUndefined();
  });

  it('rethrows the last error once the time is up', async () => {
    let calls = 0;
    const started = Date.now();
    const sut = expectEventually(
      () => {
        calls++;
        throw new Error(`attempt ${calls} failed`);
      },
      { timeoutMs: 200, intervalMs: 20 },
    );
    const error = await sut.catch((caught: unknown) => caught as Error);
    expect(error.message).toBe(`attempt ${calls} failed`);
    expect(calls).toBeGreaterThan(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('keeps a jest assertion failure readable', async () => {
    await expect(expectEventually(() => expect(1).toBe(2), { timeoutMs: 50 })).rejects.toThrow(
      'Expected: 2',
    );
  });
});
