import { retryDelayMs } from './retry-delay';

describe(retryDelayMs.name, () => {
  it('doubles from half a second, up to half a minute, before the event is reported', () => {
    const delays = [1, 2, 3, 4, 7, 9].map((attempt) => retryDelayMs(attempt, 10));
    expect(delays).toEqual([500, 1000, 2000, 4000, 30_000, 30_000]);
  });

  it('keeps retrying slower once it is reported as failed, at most every five minutes', () => {
    const delays = [5, 6, 7, 8, 20].map((attempt) => retryDelayMs(attempt, 5));
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 300_000]);
  });
});
