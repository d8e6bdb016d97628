export interface ExpectEventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Runs `assertion` until it stops throwing and returns its value; on timeout, rethrows
 * its last error, so the failure reads like the assertion's own. The bounded poll that
 * replaces sleeps in tests of asynchronous work (replication, delivery, restarts).
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 25 }: ExpectEventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() + intervalMs > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
