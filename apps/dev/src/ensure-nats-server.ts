/**
 * Finds nats-server (Debian's package puts it in /usr/sbin, which is not on every PATH),
 * installing it with apt-get when we may: as root on a Debian-like system. Otherwise the
 * launcher stops with the one command that installs it.
 */
import { spawn } from 'node:child_process';
import { defaultNatsServerBinary, findExecutable } from '@meridian/process';
import type { LauncherOutput } from './launcher-output';

export const natsInstallCommand = 'sudo apt-get install -y --no-install-recommends nats-server';

export class MissingDependencyError extends Error {
  override readonly name = 'MissingDependencyError';
}

export async function ensureNatsServer(output: LauncherOutput): Promise<string> {
  const found = await findNatsServer();
  if (found) return found;
  const aptGet = await findExecutable('apt-get');
  if (process.getuid?.() !== 0 || !aptGet) {
    throw new MissingDependencyError(
      aptGet
        ? `nats-server is not installed; install it with: ${natsInstallCommand}`
        : 'nats-server is not installed; install nats-server 2.9 or later (https://github.com/nats-io/nats-server/releases) and put it on PATH',
    );
  }
  output.info('nats-server is not installed: installing it with apt-get');
  const install = ['install', '-y', '--no-install-recommends', 'nats-server'];
  // a fresh machine's package lists may be missing or stale: refresh them once and retry
  if (
    (await run(aptGet, install)) !== 0 &&
    ((await run(aptGet, ['update'])) !== 0 || (await run(aptGet, install)) !== 0)
  ) {
    throw new MissingDependencyError(
      `apt-get could not install nats-server; install it with: ${natsInstallCommand}`,
    );
  }
  const installed = await findNatsServer();
  if (!installed) throw new MissingDependencyError('nats-server was installed but cannot be found');
  return installed;
}

function findNatsServer(): Promise<string | undefined> {
  return findExecutable('nats-server', [defaultNatsServerBinary]);
}

/** Runs apt-get in the foreground, in the terminal's process group, so Ctrl-C reaches it. */
function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.once('error', () => resolve(-1));
    child.once('exit', (code) => resolve(code ?? -1));
  });
}
