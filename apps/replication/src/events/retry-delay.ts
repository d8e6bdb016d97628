/**
 * How long an event that failed waits before its next attempt. Quick retries first (a child
 * manifest still on its way, a service restarting), doubling up to half a minute; once the
 * event has been reported as failed, slower retries, but never none: nothing a peer
 * acknowledged is ever dropped.
 */
const firstDelayMs = 500;
const maxQuickDelayMs = 30_000;
const slowDelayMs = 5 * 60_000;

export function retryDelayMs(attempt: number, failedAfterAttempts: number): number {
  if (attempt >= failedAfterAttempts)
    return Math.min(slowDelayMs, maxQuickDelayMs * 2 ** (attempt - failedAfterAttempts));
  return Math.min(maxQuickDelayMs, firstDelayMs * 2 ** (attempt - 1));
}
