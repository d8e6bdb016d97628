import { defaultRestartPolicy, restartDelay } from './supervisor';

describe(restartDelay.name, () => {
  it('doubles from the initial delay up to the ceiling', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((failures) =>
      restartDelay(failures, defaultRestartPolicy),
    );
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});
