/**
 * When a failed delivery is tried again: exponential backoff from MERIDIAN_WEBHOOK_RETRY_BASE_MS,
 * doubling per attempt up to a ceiling, with full jitter (a random point in the upper half of
 * the step), so receivers coming back from an outage are not hit by every sender at once.
 */
export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  /** attempts before the delivery is dead-lettered */
  maxAttempts: number;
  /** age (from the event's delivery creation) after which no attempt is made */
  maxAgeMs: number;
}

export function retryDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** The time of the next attempt after `attempt` failed, or undefined when the delivery is dead. */
export function nextAttemptAt(
  attempt: number,
  createdAt: Date,
  now: Date,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Date | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const at = new Date(now.getTime() + retryDelayMs(attempt, policy, random));
  if (at.getTime() - createdAt.getTime() > policy.maxAgeMs) return undefined;
  return at;
}
