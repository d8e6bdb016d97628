/**
 * The failed-login bound: past `limit` failures within `windowSeconds` for one key (an
 * identity, or a client address), logins for that key are refused until enough of those
 * failures have aged out of the window.
 */
export interface ThrottlePolicy {
  limit: number;
  windowSeconds: number;
}

/** Seconds until a login for the key may be tried again, or undefined when it may now. */
export function throttleVerdict(
  failures: readonly Date[],
  now: Date,
  policy: ThrottlePolicy,
): number | undefined {
  const windowMs = policy.windowSeconds * 1000;
  const recent = failures
    .map((failure) => failure.getTime())
    .filter((time) => time > now.getTime() - windowMs)
    .sort((a, b) => a - b);
  if (recent.length < policy.limit) return undefined;
  // once this one ages out, fewer than `limit` remain
  const freeing = recent[recent.length - policy.limit]!;
  return Math.max(1, Math.ceil((freeing + windowMs - now.getTime()) / 1000));
}
