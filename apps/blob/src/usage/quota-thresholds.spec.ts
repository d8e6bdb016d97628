import {
  type QuotaLevel,
  crossedThresholds,
  passesQuota,
  quotaLevel,
  settleQuotaLevel,
} from './quota-thresholds';

describe(quotaLevel.name, () => {
  it.each([
    [0, 1000, 0],
    [799, 1000, 0],
    [800, 1000, 80],
    [999, 1000, 80],
    [1000, 1000, 100],
    [1500, 1000, 100],
    [0, 0, 0],
    [1, 0, 100],
  ] as const)('%d bytes of %d is level %d', (used, quota, level) => {
    expect(quotaLevel(used, quota)).toBe(level);
  });

  it('compares in whole numbers, exactly at the threshold of a quota 80% does not divide', () => {
    expect(quotaLevel(7, 9)).toBe(0);
    expect(quotaLevel(8, 9)).toBe(80);
  });
});

describe(crossedThresholds.name, () => {
  it('announces a threshold when usage rises to it', () => {
    expect(crossedThresholds(0, 80)).toEqual([80]);
    expect(crossedThresholds(80, 100)).toEqual([100]);
  });

  it('announces both when one change jumps past both', () => {
    expect(crossedThresholds(0, 100)).toEqual([80, 100]);
  });

  it('announces nothing while usage stays at or falls below the announced level', () => {
    expect(crossedThresholds(80, 80)).toEqual([]);
    expect(crossedThresholds(100, 100)).toEqual([]);
    expect(crossedThresholds(100, 80)).toEqual([]);
    expect(crossedThresholds(80, 0)).toEqual([]);
  });
});

describe(settleQuotaLevel.name, () => {
  /** Applies usage readings one after another, as the stored level would see them. */
  function announcements(readings: number[], quota: number): number[][] {
    let announced: QuotaLevel = 0;
    return readings.map((used) => {
      const { level, announce } = settleQuotaLevel(announced, used, quota);
      announced = level;
      return announce;
    });
  }

  it('announces each crossing once, and again after usage fell back below it', () => {
    expect(announcements([500, 850, 900, 700, 820, 1000, 1000, 990, 1000], 1000)).toEqual([
      [],
      [80],
      [],
      [],
      [80],
      [100],
      [],
      [],
      [100],
    ]);
  });

  it('announces at once when a quota is lowered under the usage', () => {
    expect(settleQuotaLevel(0, 900, 900)).toEqual({ level: 100, announce: [80, 100] });
  });
});

describe(passesQuota.name, () => {
  it('lets usage reach the quota but not pass it', () => {
    expect(passesQuota(900, 100, 1000)).toBe(false);
    expect(passesQuota(900, 101, 1000)).toBe(true);
    expect(passesQuota(0, 1, 0)).toBe(true);
    expect(passesQuota(0, 0, 0)).toBe(false);
  });
});
