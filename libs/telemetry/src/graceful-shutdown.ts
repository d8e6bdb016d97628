/**
 * SIGTERM/SIGINT handling shared by every service: stop once, give the work in hand the
 * grace period to finish, and exit 0 when it did (1 when stopping failed or overran).
 * Unacknowledged JetStream messages need nothing here: the server redelivers them to the
 * next replica once their ack deadline passes.
 */
import type { Logger } from 'pino';

export interface GracefulShutdownOptions {
  logger: Logger;
  graceMs: number;
  /** stops the service; resolves when the work in hand is finished */
  stop: () => Promise<void>;
  /** tests pass their own exit; processes exit */
  exit?: (code: number) => void;
}

/** Installs the signal handlers; returns the stop function, for callers that stop otherwise. */
export function onShutdownSignal(
  options: GracefulShutdownOptions,
): (reason: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      options.logger.info({ reason, graceMs: options.graceMs }, 'service stopping');
      const code = await stopWithin(options);
      options.logger.info({ exitCode: code }, 'service stopped');
      await new Promise<void>((resolve) => options.logger.flush(() => resolve()));
      exit(code);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stop(signal));
  return stop;
}

async function stopWithin({ logger, graceMs, stop }: GracefulShutdownOptions): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<'overran'>((resolve) => {
    timer = setTimeout(() => resolve('overran'), graceMs);
  });
  try {
    const outcome = await Promise.race([stop().then(() => 'stopped' as const), overran]);
    if (outcome === 'overran') {
      logger.warn({ graceMs }, 'work in hand did not finish within the grace period');
      return 1;
    }
    return 0;
  } catch (err) {
    logger.error({ err }, 'service failed to stop cleanly');
    return 1;
  } finally {
    clearTimeout(timer);
  }
}
