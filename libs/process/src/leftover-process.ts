/**
 * A launcher killed with SIGKILL cannot stop its children: they keep running and hold the
 * data directory (Postgres refuses a second postmaster on it) or the port. On the next
 * start we find such a process through the pid file it wrote and stop it, but only when
 * its command line proves it is ours (names the same data directory or config file), so
 * a reused pid never takes down someone else's process.
 */
import { readFile } from 'node:fs/promises';

export interface LeftoverProcess {
  pid: number;
  commandLine: string;
}

/** The live process named by `pidFile` whose command line contains `marker`, if any. */
export async function findLeftoverProcess(
  pidFile: string,
  marker: string,
): Promise<LeftoverProcess | undefined> {
  const pid = Number.parseInt(
    (await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0] ?? '',
    10,
  );
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return undefined;
  const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''))
    .split('\0')
    .join(' ');
  return commandLine.includes(marker) ? { pid, commandLine } : undefined;
}

/** Asks the process to stop, kills it after `graceMs`; resolves once it is gone. */
export async function stopLeftoverProcess(
  leftover: LeftoverProcess,
  signal: NodeJS.Signals,
  graceMs = 10_000,
): Promise<void> {
  send(leftover.pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(leftover.pid)) {
    if (Date.now() > deadline) {
      send(leftover.pid, 'SIGKILL');
      if (Date.now() > deadline + 5_000) throw new Error(`process ${leftover.pid} did not stop`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function send(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
