/**
 * A whole Meridian as `npm start` runs it: the dev launcher in the foreground with its
 * defaults (two regions, us-east and eu-west, each with its nats-server, database, store and
 * services; embedded Postgres; filesystem storage), on free ports and a temporary data
 * directory. The registry under test is us-east's gateway; eu-west's answers on the next
 * port (`otherRegion`), so every test runs against a region with a live peer, as users do.
 * Authentication is on, as `npm start` runs it; the admin account's password is set
 * (MERIDIAN_ADMIN_PASSWORD) and every client of the tests logs in with it.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManagedProcess, freePortPair, spawnProcess } from '@meridian/testing';
import { launcherArgs } from './compiled-meridian';
import { LoggedInRegistryClient } from './logged-in-registry-client';
import { writeRegistryAuthFile } from './registry-auth-file';
import { RegistryLog, repoRoot } from './registry-log';
import { type RegistryUnderTest } from './registry-under-test';

const readyTimeoutMs = 180_000;
/** the launcher stops services, then nats-server, then Postgres */
const stopGraceMs = 60_000;

export async function startMeridian(label: string): Promise<RegistryUnderTest> {
  const root = await mkdtemp(join(tmpdir(), 'meridian-e2e-'));
  // as root, the embedded Postgres runs as another user, who must reach its data directory
  await chmod(root, 0o755);
  const dataDir = join(root, 'data');
  // us-east's gateway on `port`, eu-west's on the next one
  const port = await freePortPair();
  const url = `http://127.0.0.1:${port}`;
  const log = new RegistryLog(`meridian-${label}`);
  const credentials = { username: 'admin', password: randomBytes(16).toString('hex') };
  const authFile = await writeRegistryAuthFile(root, `127.0.0.1:${port}`, credentials);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MERIDIAN_DATA_DIR: dataDir,
    MERIDIAN_PORT: String(port),
    MERIDIAN_HOST: '127.0.0.1',
    MERIDIAN_ADMIN_PASSWORD: credentials.password,
  };
  // the embedded default (two regions), ports of its own: nothing shared with other runs
  for (const key of [
    'DATABASE_URL',
    'MERIDIAN_REGIONS',
    'MERIDIAN_POSTGRES_PORT',
    'MERIDIAN_NATS_PORT',
  ])
    delete env[key];

  let launcher: ManagedProcess | undefined;

  async function start(): Promise<void> {
    log.write(`--- e2e: starting the launcher on port ${port}`);
    const current = spawnProcess({
      name: `meridian ${label}`,
      command: process.execPath,
      args: [...launcherArgs],
      cwd: repoRoot,
      env,
      onLine: (line) => log.write(line),
      retainLines: 200,
      stopSignal: 'SIGTERM',
      stopGraceMs,
    });
    launcher = current;
    try {
      await current.waitForLine((line) => line.text.includes('meridian ready'), {
        timeoutMs: readyTimeoutMs,
        description: 'meridian ready',
      });
    } catch (error) {
      await current.stop({ signal: 'SIGKILL' });
      throw new Error(`${(error as Error).message}\n${log.describe()}`);
    }
  }

  async function stop() {
    if (!launcher) throw new Error('meridian was not started');
    log.write('--- e2e: stopping the launcher (SIGTERM)');
    const status = await launcher.stop();
    log.write(`--- e2e: launcher ended ${JSON.stringify(status)}`);
    return status;
  }

  await start();
  return {
    kind: 'meridian',
    url,
    host: `127.0.0.1:${port}`,
    client: new LoggedInRegistryClient(url, credentials),
    otherRegion: {
      url: `http://127.0.0.1:${port + 1}`,
      host: `127.0.0.1:${port + 1}`,
      client: new LoggedInRegistryClient(`http://127.0.0.1:${port + 1}`, credentials),
    },
    credentials,
    authFile,
    dataDir,
    describeOutput: (lines) => log.describe(lines),
    stop,
    start,
    async dispose() {
      if (launcher?.running) await stop();
      await log.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
