import { nextAttemptAt, retryDelayMs } from './retry-delay';

describe(retryDelayMs.name, () => {
  const policy = { baseMs: 1_000, maxDelayMs: 60_000 };

  it('doubles per attempt, with jitter in the upper half of each step', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1_000);
    expect(retryDelayMs(3, policy, () => 0)).toBe(2_000);
    expect(retryDelayMs(3, policy, () => 1)).toBe(4_000);
  });

  it('never exceeds the ceiling', () => {
    expect(retryDelayMs(30, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(30, policy, () => 0)).toBe(30_000);
  });
});

describe(nextAttemptAt.name, () => {
  const policy = { baseMs: 1_000, maxDelayMs: 60_000, maxAttempts: 5, maxAgeMs: 3_600_000 };
  const created = new Date('2026-01-01T00:00:00Z');

  it('schedules the next attempt after the backoff', () => {
    const now = new Date('2026-01-01T00:00:10Z');
    expect(nextAttemptAt(2, created, now, policy, () => 1)).toEqual(
      new Date('2026-01-01T00:00:12Z'),
    );
  });

  it('dead-letters once the attempts are spent', () => {
    expect(nextAttemptAt(5, created, created, policy, () => 0)).toBeUndefined();
  });

  it('dead-letters when the next attempt would be past the maximum age', () => {
    const late = new Date(created.getTime() + 3_599_900);
    expect(nextAttemptAt(1, created, late, policy, () => 1)).toBeUndefined();
  });
});
