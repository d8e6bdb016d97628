export interface WaitForHttpOptions {
  /** statuses that count as up */
  accept?: (status: number) => boolean;
  timeoutMs?: number;
  intervalMs?: number;
  /** checked between attempts: stop waiting for a process that has died */
  abortIf?: () => Error | undefined;
}

/** Polls a URL until it answers with an accepted status. */
export async function waitForHttp(url: string, options: WaitForHttpOptions = {}): Promise<number> {
  const accept = options.accept ?? ((status) => status === 200);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const abort = options.abortIf?.();
    if (abort) throw abort;
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(Math.min(2_000, timeoutMs)),
      });
      await response.arrayBuffer();
      if (accept(response.status)) return response.status;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline)
      throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
