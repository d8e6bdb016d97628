/**
 * The launcher's process life: config, start, signals, exit codes. Ctrl-C (or SIGTERM)
 * stops everything in order and exits 0; a second one kills everything at once. A start
 * that fails, or a process that cannot be brought back, stops everything and exits 1.
 */
import { whenOrphaned } from '@meridian/process';
import { ConfigError, type LauncherConfig, loadConfig } from './config';
import { MissingDependencyError } from './ensure-nats-server';
import { Launcher } from './launcher';
import { createLauncherOutput } from './launcher-output';
import { serviceEntriesIn } from './service-entries';

/**
 * `root` holds every service's `apps/<service>/src/main.ts`, or its compiled `main.js` when
 * the launcher runs compiled (service-entries.ts).
 */
export function runLauncher(root: string): void {
  let config: LauncherConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`meridian: ${error.message}\n`);
    process.exit(1);
  }
  const output = createLauncherOutput({ format: config.logFormat, logLevel: config.logLevel });

  let stopping: Promise<void> | undefined;
  const shutdown = (exitCode: number): Promise<void> => {
    stopping ??= launcher.stop().then(
      () => {
        output.info('stopped');
        process.exit(exitCode);
      },
      (error: unknown) => {
        output.error('failed to stop cleanly', {}, String(error));
        process.exit(1);
      },
    );
    return stopping;
  };
  const fail = (message: string, error: unknown): void => {
    output.error(message, {}, error instanceof Error ? error.message : String(error));
    void shutdown(1);
  };

  const launcher = new Launcher(config, output, serviceEntriesIn(root), (error) =>
    fail('a process keeps failing: stopping everything', error),
  );

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping) {
        output.warn('second signal: killing every process now');
        launcher.kill();
        process.exit(1);
      }
      output.info('stopping', { signal });
      void shutdown(0);
    });
  }
  process.on('unhandledRejection', (error) => fail('unexpected error', error));
  // `npm start` exits on SIGTERM without passing it on: the launcher must not outlive it
  whenOrphaned(() => {
    if (stopping) return;
    output.info('stopping', { reason: 'parent process exited' });
    void shutdown(0);
  });
  // a closed terminal or pipe must not crash the launcher before it has stopped its children
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

  launcher.start().catch((error: unknown) => {
    if (stopping) return;
    if (error instanceof MissingDependencyError) {
      output.error(error.message);
      void shutdown(1);
      return;
    }
    fail('meridian could not start', error);
  });
}
