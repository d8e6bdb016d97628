/**
 * A whole Meridian as `npm start` runs it: the dev launcher in the foreground with its
 * defaults (embedded Postgres, a nats-server, blob, manifest and gateway services,
 * filesystem storage), on a free port and a temporary data directory. Authentication is on,
 * as `npm start` runs it; the admin account's password is set (MERIDIAN_ADMIN_PASSWORD) and
 * every client of the tests logs in with it.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManagedProcess, freePort, spawnProcess } from '@meridian/testing';
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
  const port = await freePort();
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
  // the embedded default, one region, ports of its own: nothing shared with other runs
  for (const key of [
    'DATABASE_URL',
    'MERIDIAN_REGIONS',
    'MERIDIAN_POSTGRES_PORT',
    'MERIDIAN_NATS_PORT',
  ])
    delete env[key];
  // the launcher's default is two regions; these tests exercise one (geo-*.e2e-spec.ts, two)
  env['MERIDIAN_REGIONS'] = 'us-east';

  let launcher: ManagedProcess | undefined;

  async function start(): Promise<void> {
    log.write(`--- e2e: starting the launcher on port ${port}`);
    const current = spawnProcess({
      name: `meridian ${label}`,
      command: process.execPath,
      args: ['-r', '@swc-node/register', 'apps/dev/src/main.ts'],
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
