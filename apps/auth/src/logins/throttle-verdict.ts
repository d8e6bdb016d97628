/**
 * The failed-login policy as pure functions of failure times (docs/architecture.md, "Failed
 * logins"). Three counts, each of this region's database:
 * - one identity from one address (the pair): `pairLimit` failures cost nothing, then each
 *   further one doubles the wait before the pair may try again (1 s, 2 s, 4 s, …), never
 *   beyond `maxWaitSeconds`;
 * - one address over every identity (password spraying) and one identity over every address
 *   (a distributed guess at one account): past `addressLimit` / `identityLimit`, only pairs
 *   known from a recent successful login may try, until enough failures have aged out.
 * A failure counts for `memorySeconds`; a pair's own failures end with its next success.
 */
export interface ThrottlePolicy {
  pairLimit: number;
  maxWaitSeconds: number;
  addressLimit: number;
  identityLimit: number;
  memorySeconds: number;
  /** how long a successful login keeps its address known for its identity */
  knownForSeconds: number;
}

/** Seconds until the pair may try again after its failures, or undefined when it may now. */
export function backoffWait(
  failures: readonly Date[],
  now: Date,
  policy: ThrottlePolicy,
): number | undefined {
  const recent = within(failures, now, policy.memorySeconds);
  if (recent.length < policy.pairLimit) return undefined;
  const beyond = recent.length - policy.pairLimit;
  // 2^beyond overflows nothing: the cap applies long before (beyond ≥ 31 is capped)
  const waitSeconds = Math.min(policy.maxWaitSeconds, 2 ** Math.min(beyond, 31));
  const latest = recent[recent.length - 1]!;
  const remainingMs = latest + waitSeconds * 1000 - now.getTime();
  return remainingMs > 0 ? Math.max(1, Math.ceil(remainingMs / 1000)) : undefined;
}

/**
 * Seconds until fewer than `limit` failures remain within `memorySeconds` (the oldest of the
 * ones keeping the count there ages out), or undefined while below the limit.
 */
export function budgetWait(
  failures: readonly Date[],
  now: Date,
  limit: number,
  memorySeconds: number,
): number | undefined {
  const recent = within(failures, now, memorySeconds);
  if (recent.length < limit) return undefined;
  const freeing = recent[recent.length - limit]!;
  return Math.max(1, Math.ceil((freeing + memorySeconds * 1000 - now.getTime()) / 1000));
}

/** The failure times within the last `seconds`, oldest first, in milliseconds. */
function within(failures: readonly Date[], now: Date, seconds: number): number[] {
  const since = now.getTime() - seconds * 1000;
  return failures
    .map((failure) => failure.getTime())
    .filter((time) => time > since)
    .sort((a, b) => a - b);
}
