/**
 * The rules of quotas, apart from where the numbers come from. An upload may bring usage up
 * to the quota, not past it. Usage is announced when it reaches 80 and 100 percent of a
 * quota, once per crossing: the level last announced is remembered, an announcement is made
 * only when the level rises above it, and falling back lowers it without a word, so the next
 * rise is announced again.
 */

export const quotaThresholds = [80, 100] as const;
export type QuotaThreshold = (typeof quotaThresholds)[number];

/** The highest threshold usage has reached, or 0 below the first. */
export type QuotaLevel = 0 | QuotaThreshold;

export function quotaLevel(usedBytes: number, quotaBytes: number): QuotaLevel {
  // an empty store or repository has reached nothing, even under a quota of 0
  if (usedBytes <= 0) return 0;
  let level: QuotaLevel = 0;
  for (const threshold of quotaThresholds) {
    // in integers: used / quota >= threshold / 100
    if (usedBytes * 100 >= quotaBytes * threshold) level = threshold;
  }
  return level;
}

/** The thresholds to announce when usage moves from the announced level to `current`. */
export function crossedThresholds(announced: QuotaLevel, current: QuotaLevel): QuotaThreshold[] {
  return quotaThresholds.filter((threshold) => announced < threshold && threshold <= current);
}

/**
 * What to remember and what to announce after a change: the level usage now stands at (to
 * store as the announced level, up or down) and the thresholds it rose to.
 */
export function settleQuotaLevel(
  announced: QuotaLevel,
  usedBytes: number,
  quotaBytes: number,
): { level: QuotaLevel; announce: QuotaThreshold[] } {
  const level = quotaLevel(usedBytes, quotaBytes);
  return { level, announce: crossedThresholds(announced, level) };
}

/** Whether adding `addedBytes` to `usedBytes` would take usage past the quota. */
export function passesQuota(usedBytes: number, addedBytes: number, quotaBytes: number): boolean {
  return usedBytes + addedBytes > quotaBytes;
}
